import { createInflate, createInflateRaw } from 'node:zlib';
import { DocumentError } from './document-error';
import type { DocumentLimits } from './document-limits';

export type ExpansionLimits = Pick<DocumentLimits, 'maxUncompressedBytes' | 'maxCompressionRatio'>;
export type ExpansionLimitName = 'maxUncompressedBytes' | 'maxCompressionRatio';

// Below this much unpacked data the ratio is not checked: small files of
// text and XML legitimately reach high ratios and cost nothing to inflate.
const RATIO_CHECK_FLOOR_BYTES = 1024 * 1024;
// Large output chunks keep the per-chunk overhead of counting negligible.
const INFLATE_CHUNK_BYTES = 1024 * 1024;

/**
 * How many bytes a packed file (a DOCX archive, a PDF's compressed streams)
 * may expand to: the smaller of the absolute cap and the ratio cap.
 */
export function expansionBudget(
  packedBytes: number,
  limits: ExpansionLimits,
): { bytes: number; limit: ExpansionLimitName } {
  const byRatio = Math.max(RATIO_CHECK_FLOOR_BYTES, packedBytes * limits.maxCompressionRatio);
  return byRatio < limits.maxUncompressedBytes
    ? { bytes: byRatio, limit: 'maxCompressionRatio' }
    : { bytes: limits.maxUncompressedBytes, limit: 'maxUncompressedBytes' };
}

export function expansionError(limit: ExpansionLimitName, limits: ExpansionLimits): DocumentError {
  const message =
    limit === 'maxUncompressedBytes'
      ? `The document expands to more than ${Math.round(limits.maxUncompressedBytes / (1024 * 1024))} MB when unpacked and was rejected.`
      : `The document expands to more than ${limits.maxCompressionRatio} times its size when unpacked, as only a decompression bomb does, and was rejected.`;
  return new DocumentError('DT_ERR_FILE_TOO_LARGE', message, { limit });
}

export interface InflateCountOptions {
  /** Raw deflate (zip entries) rather than zlib-wrapped (PDF FlateDecode). */
  raw: boolean;
  /**
   * Damaged data: true rejects with DT_ERR_CORRUPT_FILE; false resolves with
   * what inflated before the damage, as PDF readers use a truncated stream.
   */
  strict: boolean;
}

/**
 * Inflates deflate data only to count it: resolves with its size, or with the
 * first count past `limit` (stopping there). Memory stays at one chunk.
 */
export function inflatedSize(
  data: Uint8Array,
  limit: number,
  options: InflateCountOptions,
  /** Sees each chunk of output as it is counted (`first` for the first). */
  onChunk?: (chunk: Buffer, first: boolean) => void,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const inflater = (options.raw ? createInflateRaw : createInflate)({
      chunkSize: INFLATE_CHUNK_BYTES,
    });
    let size = 0;
    inflater.on('data', (chunk: Buffer) => {
      onChunk?.(chunk, size === 0);
      size += chunk.length;
      if (size > limit) {
        inflater.destroy();
        resolve(size);
      }
    });
    inflater.on('end', () => resolve(size));
    inflater.on('error', (error) => {
      if (!options.strict) {
        resolve(size);
        return;
      }
      reject(
        new DocumentError(
          'DT_ERR_CORRUPT_FILE',
          'The document is damaged: part of it cannot be unpacked.',
          { cause: error },
        ),
      );
    });
    inflater.end(data);
  });
}
