/**
 * The extraction queue already holds as many upload bytes as it may: the
 * server, not the file, is the reason, so the backend answers 503 with
 * Retry-After and the same upload can succeed later.
 */
export class ExtractionBusyError extends Error {
  override readonly name = 'ExtractionBusyError';

  constructor(readonly retryAfterSeconds: number) {
    super('every text-extraction worker is busy and the queue is full');
  }
}
