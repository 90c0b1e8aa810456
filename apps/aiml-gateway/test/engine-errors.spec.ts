import {
  EmbeddingMismatchError,
  OfflineTextTooLargeError,
  OwnerErasedError,
  ProvidersExhaustedError,
  VectorWriteRejectedError,
  type ProviderAttempt,
  type ProviderName,
} from '@docuthinker/ai-engine';
import { SharedLockBusyError } from '@docuthinker/runtime';
import { problemFromEngineError } from '../src/engine-errors';

/**
 * The engine's errors as the problems clients see. Over HTTP a rejected
 * vector write cannot be provoked (the contracts make every text storable),
 * so the mapping is checked here; the engine side runs against real Chroma.
 */
describe('problemFromEngineError', () => {
  // Found in review: the detail carried Chroma's own message. Clients are
  // told which store refused; the reason goes to the log (problem-responses).
  it('answers a store that refused the records with 502 DT_ERR_STORE_REJECTED, naming the store, not its reason', () => {
    const refused = problemFromEngineError(
      new VectorWriteRejectedError('Chroma', 'add answered 400: unexpected end of hex escape'),
    );
    expect(refused).toMatchObject({ status: 502, code: 'DT_ERR_STORE_REJECTED' });
    expect(refused?.detail).toMatch(/vector index \(Chroma\)/);
    expect(refused?.detail).not.toMatch(/hex escape|answered 400/);
  });

  // Found in review: the worker's out-of-memory failure was a 500.
  it("answers a text the offline engine's memory cannot hold with 422 DT_ERR_TEXT_TOO_COMPLEX", () => {
    const refused = problemFromEngineError(new OfflineTextTooLargeError('an AI task', 256));
    expect(refused).toMatchObject({ status: 422, code: 'DT_ERR_TEXT_TOO_COMPLEX' });
    expect(refused?.detail).toMatch(/more than its 256 MB .*send a shorter text/);
  });

  it("answers a write that waited too long for another replica's write of the document with 503 and Retry-After", () => {
    const busy = problemFromEngineError(new SharedLockBusyError(30_000));
    expect(busy).toMatchObject({ status: 503, code: 'DT_ERR_ENGINE_UNAVAILABLE' });
    expect(busy?.extras.headers).toEqual({ 'retry-after': '5' });
    expect(busy?.detail).toMatch(/another gateway replica is still writing this document/);
    // As thrown from the Redis bundle, whose class is another than main.js's.
    class BundledCopy extends Error {
      override readonly name = 'SharedLockBusyError';
    }
    expect(problemFromEngineError(new BundledCopy('held'))).toMatchObject({ status: 503 });
  });

  it("answers a write overtaken by its owner's erasure with 409 DT_ERR_OWNER_ERASED, not to be retried", () => {
    expect(problemFromEngineError(new OwnerErasedError('o', 'd'))).toMatchObject({
      status: 409,
      code: 'DT_ERR_OWNER_ERASED',
    });
  });

  it.each([
    ['went away', 'ChromaConnectionError', 'Failed to connect to Chroma'],
    ['answered 5xx or 429', 'ChromaServerError', 'Chroma upsert answered 429: rate limited'],
  ])(
    'answers a store that %s with 503 and Retry-After, as a cue to retry',
    (_case, name, message) => {
      const failed = Object.assign(new Error(message), { name });
      expect(problemFromEngineError(failed)).toMatchObject({
        status: 503,
        code: 'DT_ERR_ENGINE_UNAVAILABLE',
        extras: { headers: { 'retry-after': '5' } },
      });
    },
  );

  // Review: graph reads carry a transaction timeout, and one that ran out was a 500.
  it('answers a graph read past its transaction timeout with 503 and Retry-After, a client error of Neo4j with 500', async () => {
    const { Neo4jError } = await import('neo4j-driver');
    const timedOut = new Neo4jError(
      'The transaction has been terminated.',
      'Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration',
      '25N06',
      'error: transaction rollback',
    );
    expect(problemFromEngineError(timedOut)).toMatchObject({
      status: 503,
      code: 'DT_ERR_ENGINE_UNAVAILABLE',
      extras: { headers: { 'retry-after': '5' } },
    });
    const syntax = new Neo4jError(
      'Invalid input',
      'Neo.ClientError.Statement.SyntaxError',
      '42001',
      'error: syntax error or access rule violation',
    );
    expect(problemFromEngineError(syntax)).toBeUndefined();
  });

  describe('when no provider answered', () => {
    const failed = (provider: ProviderName, retryAfterMs?: number): ProviderAttempt => ({
      provider,
      task: 'summary',
      outcome: 'failed',
      durationMs: 1,
      retryAfterMs,
    });
    const retryAfter = (...attempts: ProviderAttempt[]) =>
      problemFromEngineError(new ProvidersExhaustedError('summary', attempts))?.extras.headers?.[
        'retry-after'
      ];

    // Every key resting or quarantined for minutes, and clients were told to come back in 5 s.
    it('tells the caller to retry when the soonest provider may answer, up to a minute', () => {
      expect(retryAfter(failed('openai', 12_500), failed('anthropic', 40_000))).toBe('13');
      expect(retryAfter(failed('openai', 15 * 60_000))).toBe('60');
    });

    it('falls back to 5 s when any failed provider gave no hint, or none was asked', () => {
      expect(retryAfter(failed('openai', 40_000), failed('anthropic'))).toBe('5');
      expect(retryAfter()).toBe('5');
    });
  });

  it('answers an embedding mismatch with 500 DT_ERR_EMBEDDING_MISMATCH', () => {
    const mismatch = new EmbeddingMismatchError(
      'Chroma collection c',
      { model: 'a', dimensions: 384 },
      { model: 'b', dimensions: 1536 },
    );
    expect(problemFromEngineError(mismatch)).toMatchObject({
      status: 500,
      code: 'DT_ERR_EMBEDDING_MISMATCH',
    });
  });

  it('leaves anything else to the internal-error handler', () => {
    expect(problemFromEngineError(new TypeError('a bug'))).toBeUndefined();
  });
});
