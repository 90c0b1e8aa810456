import type JSZip from 'jszip';
import { DocumentError } from './document-error';
import type { DocumentLimits } from './document-limits';
import { expansionBudget, expansionError, inflatedSize } from './expansion-budget';

type ArchiveLimits = Pick<
  DocumentLimits,
  'maxUncompressedBytes' | 'maxCompressionRatio' | 'maxArchiveEntries'
>;

const STORED = '\x00\x00';
const DEFLATED = '\x08\x00';

/**
 * What JSZip 3 keeps for each entry it read from an archive. The public API
 * exposes neither sizes nor raw data, and inflating through its JavaScript
 * inflater costs seconds per 100 MB, so the guard reads these fields; the
 * shape is checked at run time and an unexpected one fails every DOCX
 * loudly (and the corpus test with it) rather than skipping the check.
 */
interface JSZipCompressedEntry {
  uncompressedSize: number;
  compression: { magic: string };
  compressedContent: Uint8Array;
}

/**
 * Refuses zip bombs before mammoth inflates anything. JSZip parses the
 * archive, exactly as mammoth's copy of JSZip will, so both see the same
 * entries. Declared sizes are summed first (a cheap early rejection), then
 * every entry is actually inflated with node:zlib and its output counted,
 * stopping as soon as the total passes the budget, because declared sizes
 * can lie. A bomb costs at most the budget in CPU and one chunk in memory.
 */
export async function guardZipArchive(bytes: Uint8Array, limits: ArchiveLimits): Promise<void> {
  const archive = await loadArchive(bytes);
  const entries = Object.values(archive.files).filter((entry) => !entry.dir);
  if (entries.length > limits.maxArchiveEntries) {
    throw new DocumentError(
      'DT_ERR_FILE_TOO_LARGE',
      `The document holds more than ${limits.maxArchiveEntries} parts and was rejected.`,
      { limit: 'maxArchiveEntries' },
    );
  }

  const budget = expansionBudget(bytes.byteLength, limits);
  const compressed = entries.map(compressedEntryOf);
  const declaredTotal = compressed.reduce((sum, entry) => sum + entry.uncompressedSize, 0);
  if (declaredTotal > budget.bytes) throw expansionError(budget.limit, limits);

  let total = 0;
  for (const entry of compressed) {
    total +=
      entry.compression.magic === STORED
        ? entry.compressedContent.byteLength
        : await inflatedSize(entry.compressedContent, budget.bytes - total, {
            raw: true,
            strict: true,
          });
    if (total > budget.bytes) throw expansionError(budget.limit, limits);
  }
}

async function loadArchive(bytes: Uint8Array): Promise<JSZip> {
  try {
    // Loaded on the first archive rather than at start-up.
    const { default: zip } = await import('jszip');
    return await zip.loadAsync(bytes);
  } catch (error) {
    if (error instanceof Error && /encrypted/i.test(error.message)) {
      throw new DocumentError(
        'DT_ERR_ENCRYPTED_FILE',
        'The document is protected by a password. Remove the password and upload it again.',
        { cause: error },
      );
    }
    throw new DocumentError(
      'DT_ERR_CORRUPT_FILE',
      'The document is damaged: its zip structure cannot be read.',
      { cause: error },
    );
  }
}

function compressedEntryOf(entry: JSZip.JSZipObject): JSZipCompressedEntry {
  const data = (entry as unknown as { _data?: Partial<JSZipCompressedEntry> })._data;
  const magic = data?.compression?.magic;
  if (
    typeof data?.uncompressedSize !== 'number' ||
    !(data.compressedContent instanceof Uint8Array) ||
    (magic !== STORED && magic !== DEFLATED)
  ) {
    throw new Error(
      'jszip no longer exposes the entry sizes the zip-bomb guard reads; check its version',
    );
  }
  return data as JSZipCompressedEntry;
}
