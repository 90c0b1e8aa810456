import { randomUUID } from 'node:crypto';
import type { NewDocument } from '../../src/ports/document-store';

export function sampleDocument(ownerId: string, overrides: Partial<NewDocument> = {}): NewDocument {
  const id = overrides.id ?? randomUUID();
  return {
    id,
    ownerId,
    title: 'Quarterly report',
    fileType: 'pdf',
    size: 2048,
    pages: 3,
    contentHash: `sha256-${id}`,
    text: 'Revenue grew in every region. The outlook for next year is cautious.',
    html: '<p>Revenue grew in every region.</p>',
    summary: 'Revenue grew.',
    summaryDegraded: false,
    fileKey: `${ownerId}/${id}/original.pdf`,
    ...overrides,
  };
}

export function newOwnerId(): string {
  return randomUUID();
}
