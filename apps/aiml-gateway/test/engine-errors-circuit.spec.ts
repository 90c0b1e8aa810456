import { problemFromEngineError } from '../src/engine-errors';

/** A ChromaConnectionError as the engine's open circuit for Chroma raises it. */
function circuitOpen(retryAfterMs?: number): Error {
  const error = Object.assign(
    new Error(
      "Chroma's circuit is open after repeated failures: calls fail at once for another 7400 ms, then one tests whether Chroma answers again",
    ),
    { name: 'ChromaConnectionError' },
  );
  return retryAfterMs === undefined ? error : Object.assign(error, { retryAfterMs });
}

const retryAfter = (error: unknown) =>
  problemFromEngineError(error)?.extras.headers?.['retry-after'];

describe("problemFromEngineError while Chroma's circuit is open", () => {
  it('answers 503 DT_ERR_ENGINE_UNAVAILABLE, naming the store, not the circuit', () => {
    const problem = problemFromEngineError(circuitOpen(7_400));
    expect(problem).toMatchObject({ status: 503, code: 'DT_ERR_ENGINE_UNAVAILABLE' });
    expect(problem?.detail).toMatch(/vector index \(Chroma\)/);
    expect(problem?.detail).not.toMatch(/circuit/);
  });

  it('tells the caller to retry when the circuit lets a call through, in whole seconds', () => {
    expect(retryAfter(circuitOpen(7_400))).toBe('8');
    expect(retryAfter(circuitOpen(10_000))).toBe('10');
    expect(retryAfter(circuitOpen(1))).toBe('1');
  });

  it('keeps the default 5 s while a test call runs, or for an outage that says nothing', () => {
    expect(retryAfter(circuitOpen())).toBe('5');
    expect(retryAfter(circuitOpen(0))).toBe('5');
    expect(retryAfter(circuitOpen(Number.NaN))).toBe('5');
  });

  it('caps a long hint at a minute', () => {
    expect(retryAfter(circuitOpen(3_600_000))).toBe('60');
  });
});
