import { MAX_TEXT_CHARS } from '@docuthinker/contracts';

const MIB = 1024 * 1024;

/** Bounds on what one upload may cost the server. */
export interface DocumentLimits {
  /** Largest accepted upload. */
  maxBytes: number;
  /** Most PDF pages extracted; a tiny PDF can describe millions of pages. */
  maxPages: number;
  /**
   * Most bytes a DOCX's archive, or a PDF's compressed text streams, may
   * expand to when unpacked, counted while inflating.
   */
  maxUncompressedBytes: number;
  /**
   * Highest unpacked-to-packed size ratio for a DOCX or a PDF's text streams
   * once they have expanded past 1 MiB; real documents stay far below it,
   * decompression bombs far above.
   */
  maxCompressionRatio: number;
  /** Most entries a DOCX archive may list. */
  maxArchiveEntries: number;
  /** Longest extracted text, for formats whose text can outgrow their bytes. */
  maxTextChars: number;
  /** Deepest JSON nesting accepted; deeper input is treated as hostile. */
  maxJsonDepth: number;
}

export const DEFAULT_DOCUMENT_LIMITS: Readonly<DocumentLimits> = {
  maxBytes: 25 * MIB,
  maxPages: 2000,
  maxUncompressedBytes: 100 * MIB,
  maxCompressionRatio: 200,
  maxArchiveEntries: 10_000,
  // What the AI/ML gateway takes to index or analyse: a longer document
  // (25 MiB of text passed before) was stored and then failed every index
  // and AI call, as 502s with the gateway's validation detail.
  maxTextChars: MAX_TEXT_CHARS,
  maxJsonDepth: 64,
};

/** Fills unset limits with the defaults and rejects nonsense early, at the caller's fault. */
export function resolveDocumentLimits(overrides: Partial<DocumentLimits> = {}): DocumentLimits {
  const limits = { ...DEFAULT_DOCUMENT_LIMITS };
  for (const [name, value] of Object.entries(overrides) as [
    keyof DocumentLimits,
    number | undefined,
  ][]) {
    if (value === undefined) continue;
    if (!(name in DEFAULT_DOCUMENT_LIMITS)) throw new RangeError(`Unknown document limit ${name}`);
    if (!Number.isFinite(value) || value <= 0) {
      throw new RangeError(`Document limit ${name} must be a positive number`);
    }
    limits[name] = value;
  }
  return limits;
}
