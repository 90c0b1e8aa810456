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

const END_OF_CENTRAL_DIRECTORY = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
const END_OF_CENTRAL_DIRECTORY_BYTES = 22;
const LONGEST_ZIP_COMMENT = 0xffff;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_LOCATOR_BYTES = 20;
const ZIP64_END_SIGNATURE = 0x06064b50;
const ZIP64_END_BYTES = 56;
const CENTRAL_FILE_HEADER = Buffer.from([0x50, 0x4b, 0x01, 0x02]);

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
 * Refuses zip bombs before mammoth inflates anything. The entry count is
 * checked on the raw bytes first: JSZip builds an object per entry before
 * anything can be counted (200,000 empty entries in an 18 MB file took 2.8 s
 * and 555 MB). Then JSZip parses the archive, exactly as mammoth's copy of
 * JSZip will, so both see the same entries. Declared sizes are summed first
 * (a cheap early rejection), then every entry is actually inflated with
 * node:zlib and its output counted, stopping as soon as the total passes the
 * budget, because declared sizes can lie. A bomb costs at most the budget in
 * CPU and one chunk in memory.
 */
export async function guardZipArchive(bytes: Uint8Array, limits: ArchiveLimits): Promise<void> {
  const raw = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = declaredEntryCount(raw);
  if (declared !== undefined && declared > BigInt(limits.maxArchiveEntries))
    throw tooManyEntries(limits);
  if (!centralHeadersAtMost(raw, limits.maxArchiveEntries)) throw tooManyEntries(limits);

  const archive = await loadArchive(bytes);
  const entries = Object.values(archive.files).filter((entry) => !entry.dir);
  if (entries.length > limits.maxArchiveEntries) throw tooManyEntries(limits);

  const budget = expansionBudget(bytes.byteLength, limits);
  const compressed = await Promise.all(entries.map(compressedEntryOf));
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

function tooManyEntries(limits: ArchiveLimits): DocumentError {
  return new DocumentError(
    'DT_ERR_FILE_TOO_LARGE',
    `The document holds more than ${limits.maxArchiveEntries} parts and was rejected.`,
    { limit: 'maxArchiveEntries' },
  );
}

/**
 * The entry count the end-of-central-directory record declares (its ZIP64
 * record's when the 16-bit field is saturated), or undefined when the record
 * is not where the format puts it: JSZip then reports the damage itself. The
 * last signature is used because JSZip uses the last one; only the final
 * 22 + 65,535 bytes (the record and the longest comment) are searched.
 */
function declaredEntryCount(raw: Buffer): bigint | undefined {
  const tail = Math.max(0, raw.length - END_OF_CENTRAL_DIRECTORY_BYTES - LONGEST_ZIP_COMMENT);
  const found = raw.subarray(tail).lastIndexOf(END_OF_CENTRAL_DIRECTORY);
  const end = tail + found;
  if (found < 0 || end + END_OF_CENTRAL_DIRECTORY_BYTES > raw.length) return undefined;
  const count = raw.readUInt16LE(end + 10);
  if (count !== 0xffff) return BigInt(count);

  const locator = end - ZIP64_LOCATOR_BYTES;
  if (locator < 0 || raw.readUInt32LE(locator) !== ZIP64_LOCATOR_SIGNATURE) return undefined;
  const record = raw.readBigUInt64LE(locator + 8);
  if (record + BigInt(ZIP64_END_BYTES) > BigInt(locator)) return undefined;
  const at = Number(record);
  if (raw.readUInt32LE(at) !== ZIP64_END_SIGNATURE) return undefined;
  return raw.readBigUInt64LE(at + 32);
}

/**
 * Whether the bytes hold at most `limit` central-directory file headers.
 * The declared count alone is no bound: JSZip reads central headers for as
 * long as their signatures follow one another and ignores a count that
 * disagrees, so an archive declaring one entry can carry 200,000. Every
 * entry JSZip reads starts with this signature at its own offset, so the
 * number of signatures in the file bounds the entries, whatever the records
 * claim. The signature cannot overlap itself, so each match is skipped whole.
 */
function centralHeadersAtMost(raw: Buffer, limit: number): boolean {
  let found = 0;
  for (
    let at = raw.indexOf(CENTRAL_FILE_HEADER);
    at >= 0;
    at = raw.indexOf(CENTRAL_FILE_HEADER, at + CENTRAL_FILE_HEADER.length)
  ) {
    found += 1;
    if (found > limit) return false;
  }
  return true;
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

/** What an entry JSZip holds as empty costs: nothing to inflate. */
const EMPTY_ENTRY: JSZipCompressedEntry = {
  uncompressedSize: 0,
  compression: { magic: STORED },
  compressedContent: new Uint8Array(0),
};

async function compressedEntryOf(entry: JSZip.JSZipObject): Promise<JSZipCompressedEntry> {
  const data = (entry as unknown as { _data?: Partial<JSZipCompressedEntry> })._data;
  // JSZip keeps no compressed data for an entry whose directory record says
  // 0 bytes: it holds empty content instead, never inflating what the entry
  // carries (mammoth's copy does the same). Word writes such parts; reading
  // the content confirms it is empty, so an unknown shape still fails below.
  if (isPromiseLike(data) && (await entry.async('uint8array')).byteLength === 0) return EMPTY_ENTRY;
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

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | undefined)?.then === 'function';
}
