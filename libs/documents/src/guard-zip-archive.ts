import JSZip from 'jszip';
import { DocumentError } from './document-error';
import type { DocumentLimits } from './document-limits';

type ArchiveLimits = Pick<
  DocumentLimits,
  'maxUncompressedBytes' | 'maxCompressionRatio' | 'maxArchiveEntries'
>;

// Below this much unpacked data the ratio is not checked: small archives of
// XML legitimately reach high ratios and cost nothing to inflate.
const RATIO_CHECK_FLOOR_BYTES = 1024 * 1024;

/**
 * Refuses zip bombs before a DOCX parser inflates anything. Sizes declared in
 * the central directory can lie, so every entry is actually inflated as a
 * stream and its bytes counted, stopping as soon as the running total passes
 * the budget: a bomb costs at most the budget in CPU and one chunk in memory.
 */
export async function guardZipArchive(bytes: Uint8Array, limits: ArchiveLimits): Promise<void> {
  let archive: JSZip;
  try {
    archive = await JSZip.loadAsync(bytes);
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
      {
        cause: error,
      },
    );
  }

  const entries = Object.values(archive.files).filter((entry) => !entry.dir);
  if (entries.length > limits.maxArchiveEntries) {
    throw new DocumentError(
      'DT_ERR_FILE_TOO_LARGE',
      `The document holds more than ${limits.maxArchiveEntries} parts and was rejected.`,
      { limit: 'maxArchiveEntries' },
    );
  }

  const ratioBudget = Math.max(
    RATIO_CHECK_FLOOR_BYTES,
    bytes.byteLength * limits.maxCompressionRatio,
  );
  const budget = Math.min(limits.maxUncompressedBytes, ratioBudget);
  let total = 0;
  for (const entry of entries) {
    total = await countInflatedBytes(entry, total, budget);
    if (total > budget) throw expansionError(budget === limits.maxUncompressedBytes, limits);
  }
}

function expansionError(overAbsoluteLimit: boolean, limits: ArchiveLimits): DocumentError {
  if (overAbsoluteLimit) {
    const megabytes = Math.round(limits.maxUncompressedBytes / (1024 * 1024));
    return new DocumentError(
      'DT_ERR_FILE_TOO_LARGE',
      `The document expands to more than ${megabytes} MB when unpacked and was rejected.`,
      { limit: 'maxUncompressedBytes' },
    );
  }
  return new DocumentError(
    'DT_ERR_FILE_TOO_LARGE',
    `The document expands to more than ${limits.maxCompressionRatio} times its size when unpacked, which only a zip bomb does; it was rejected.`,
    { limit: 'maxCompressionRatio' },
  );
}

/** Inflates one entry, returning `countedSoFar` plus its size, or the first total past `budget`. */
function countInflatedBytes(
  entry: JSZip.JSZipObject,
  countedSoFar: number,
  budget: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    let total = countedSoFar;
    const stream = entry.nodeStream('nodebuffer');
    stream.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > budget) {
        // Pausing stops JSZip's inflater at its next chunk; nothing else holds the stream.
        stream.pause();
        stream.removeAllListeners();
        resolve(total);
      }
    });
    stream.on('end', () => resolve(total));
    stream.on('error', (error: unknown) =>
      reject(
        new DocumentError(
          'DT_ERR_CORRUPT_FILE',
          'The document is damaged: part of it cannot be unpacked.',
          {
            cause: error,
          },
        ),
      ),
    );
  });
}
