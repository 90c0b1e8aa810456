import { UnsafeFileKeyError } from '../shared/errors';
import { assertSafeFileKey } from './file-key';

function assertSingleSegment(id: string): void {
  if (id.includes('/')) throw new UnsafeFileKeyError(id, 'an id must be one path segment');
  assertSafeFileKey(id);
}

/**
 * Where a document's original bytes live: `<ownerId>/<documentId>/original.<ext>`.
 * Built from ids only, never from the uploaded file name, and grouped by owner
 * so that erasing an account can remove the owner's folder.
 */
export function documentFileKey(ownerId: string, documentId: string, extension: string): string {
  assertSingleSegment(ownerId);
  assertSingleSegment(documentId);
  const safeExtension =
    extension
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '')
      .slice(0, 10) || 'bin';
  return `${ownerId}/${documentId}/original.${safeExtension}`;
}

/** The folder holding every file of one owner. */
export function ownerFilePrefix(ownerId: string): string {
  assertSingleSegment(ownerId);
  return `${ownerId}/`;
}
