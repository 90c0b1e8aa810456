import type { DocumentErrorCode } from './document-error';
import type { DocumentLimits } from './document-limits';
import type { DocumentInput, ExtractedDocument } from './extracted-document';

/** What the pool sends a worker: one upload to extract. */
export interface ExtractionRequest {
  readonly id: number;
  readonly input: DocumentInput;
  readonly limits: Partial<DocumentLimits>;
}

/** A worker's first message: its parsers are loaded and it can take uploads. */
export interface WorkerReady {
  readonly ready: true;
}

/**
 * What a worker answers. A `DocumentError` does not survive structured
 * cloning as its class, so it travels as its fields and is rebuilt.
 */
export type ExtractionReply =
  | { readonly id: number; readonly ok: true; readonly document: ExtractedDocument }
  | {
      readonly id: number;
      readonly ok: false;
      readonly documentError?: {
        readonly code: DocumentErrorCode;
        readonly message: string;
        readonly limit?: keyof DocumentLimits;
      };
      readonly message: string;
    };
