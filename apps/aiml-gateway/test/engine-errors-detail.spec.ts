import { ProviderError } from '@docuthinker/ai-engine';
import { problemFromEngineError } from '../src/engine-errors';

describe('what problemFromEngineError tells a client', () => {
  // Found in review: a Chroma query failure answered 503 with Chroma's own
  // error text ("Error executing plan: Internal error: error returned from
  // database: … Expression tree is too large") as the problem's detail.
  it.each([
    [
      'ChromaServerError',
      'Error executing plan: Internal error: error returned from database: (code: 1) Expression tree is too large (maximum depth 1000)',
      /vector index \(Chroma\)/,
    ],
    [
      'ChromaConnectionError',
      'Failed to connect to Chroma: connect ECONNREFUSED 10.0.3.7:8000',
      /vector index \(Chroma\)/,
    ],
    ['Neo4jError', 'Could not perform discovery. No routing servers available.', /Neo4j/],
  ])('names the store of a %s, never its message', (name, message, store) => {
    const failure = Object.assign(new Error(message), {
      name,
      ...(name === 'Neo4jError' ? { code: 'ServiceUnavailable' } : {}),
    });
    const answer = problemFromEngineError(failure);
    expect(answer).toMatchObject({
      status: 503,
      code: 'DT_ERR_ENGINE_UNAVAILABLE',
      detail: expect.stringMatching(store),
    });
    expect(answer?.detail).not.toContain(message);
    expect(answer?.detail).not.toMatch(/database|ECONNREFUSED|10\.0\.3\.7|routing/);
  });

  // Found in review: a Neo4j deadlock or lock timeout that outlived the
  // driver's retries (writes of one owner's shared entities) was a 500.
  it('answers 503 with Retry-After for a Neo4j error the driver calls retryable', () => {
    const deadlock = Object.assign(new Error('ForsetiClient[3] can’t acquire ExclusiveLock'), {
      name: 'Neo4jError',
      code: 'Neo.TransientError.Transaction.DeadlockDetected',
      retryable: true,
    });
    expect(problemFromEngineError(deadlock)).toMatchObject({
      status: 503,
      code: 'DT_ERR_ENGINE_UNAVAILABLE',
      detail: expect.stringMatching(/Neo4j/),
      extras: { headers: { 'retry-after': '5' } },
    });
    const syntax = Object.assign(new Error('Invalid input'), {
      name: 'Neo4jError',
      code: 'Neo.ClientError.Statement.SyntaxError',
      retryable: false,
    });
    expect(problemFromEngineError(syntax)?.status).not.toBe(503);
  });

  it("passes a provider's Retry-After on, within a minute", () => {
    const retryAfter = (retryAfterMs: number) =>
      problemFromEngineError(
        new ProviderError('openai', 'rate-limited', 'HTTP 429', 429, { retryAfterMs }),
      )?.extras.headers?.['retry-after'];
    expect(retryAfter(200)).toBe('1');
    expect(retryAfter(30_000)).toBe('30');
    expect(retryAfter(3_600_000)).toBe('60');
  });
});
