import { parentPort } from 'node:worker_threads';
import { isDocumentError } from './document-error';
import { extractDocument } from './extract-document';
import { loadPdfjs } from './extract-pdf-text';
import type { ExtractionReply, ExtractionRequest, WorkerReady } from './extraction-messages';

/**
 * The body of an extraction worker thread: extracts each upload it is sent
 * and answers with the document or the reason it was refused. A worker runs
 * one upload at a time; the pool never sends a second before the answer.
 * pdf.js is loaded before the worker reports ready, so loading it (slow on
 * a busy machine) never counts against an upload's time bound.
 */
export function serveExtractionRequests(): void {
  const port = parentPort;
  if (!port) throw new Error('serveExtractionRequests runs only in a worker thread');
  port.on('message', (request: ExtractionRequest) => {
    void answer(request).then((reply) => port.postMessage(reply));
  });
  void loadPdfjs().then(() => port.postMessage({ ready: true } satisfies WorkerReady));
}

async function answer({ id, input, limits }: ExtractionRequest): Promise<ExtractionReply> {
  try {
    return { id, ok: true, document: await extractDocument(input, limits) };
  } catch (error) {
    if (isDocumentError(error)) {
      return {
        id,
        ok: false,
        message: error.message,
        documentError: {
          code: error.code,
          message: error.message,
          ...(error.limit === undefined ? {} : { limit: error.limit }),
        },
      };
    }
    return { id, ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}
