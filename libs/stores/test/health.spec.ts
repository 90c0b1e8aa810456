import { describeProbeFailure, probeHealth } from '../src/shared/health';

/** What the AWS SDK throws for an answer without a body (HeadBucket's, say). */
function bodilessSdkError(name: string, httpStatusCode: number): Error {
  return Object.assign(new Error('UnknownError'), { name, $metadata: { httpStatusCode } });
}

describe('probeHealth', () => {
  it('reports a probe that resolves as healthy', async () => {
    expect(await probeHealth('test', () => Promise.resolve())).toMatchObject({
      ok: true,
      adapter: 'test',
    });
  });

  it("reports a failed probe with the error's message", async () => {
    expect(
      await probeHealth('test', () => Promise.reject(new Error('connect ECONNREFUSED'))),
    ).toMatchObject({ ok: false, adapter: 'test', error: 'connect ECONNREFUSED' });
  });

  it('names the error and its HTTP status where the message says nothing ("UnknownError")', async () => {
    expect(
      await probeHealth('s3', () => Promise.reject(bodilessSdkError('Unknown', 500))),
    ).toMatchObject({ ok: false, error: 'Unknown (HTTP 500)' });
  });

  it('gives up on a probe that does not answer within 2 s, and aborts it', async () => {
    let signal: AbortSignal | undefined;
    const started = performance.now();
    const report = await probeHealth('test', (given) => {
      signal = given;
      return new Promise(() => undefined);
    });
    expect(report).toMatchObject({ ok: false, error: 'no answer within 2000 ms' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(1900);
    expect(signal?.aborted).toBe(true);
  });
});

describe('describeProbeFailure', () => {
  it.each([
    [new Error('timed out'), 'timed out'],
    [bodilessSdkError('NotFound', 404), 'NotFound (HTTP 404)'],
    [Object.assign(new Error(''), { name: 'Forbidden' }), 'Forbidden'],
    ['a string', 'a string'],
    [undefined, 'undefined'],
  ])('%p → %p', (error, description) => {
    expect(describeProbeFailure(error)).toBe(description);
  });
});
