import { turnBudgetMs } from '../src/providers/call-budget';
import { LocalProvider } from '../src/providers/local-provider';
import { OpenAiProvider } from '../src/providers/openai-provider';
import { ProviderChain, type ResiliencePolicy } from '../src/providers/provider-chain';
import { UpstreamProvider } from '../src/providers/upstream-provider';
import {
  openAiReply,
  providerServersClosedAfterEach,
  type ScriptedResponse,
} from './support/provider-test-server';
import { FAST, input } from './support/fast-resilience';
import { leaveOnceReceived } from './support/leaving-caller';
import { warmProviderSdks } from './support/warm-provider-sdks';

/** Longer than any test runs: the connection is accepted and never answered. */
const HANG: ScriptedResponse = { delayMs: 60_000, body: {} };

const server = providerServersClosedAfterEach();

/** A healthy OpenAI, and a chain of the upstream container, it and the offline engine. */
async function upstreamThenOpenAi(
  upstreamUrl: string,
  options: ConstructorParameters<typeof ProviderChain>[1],
) {
  const openai = await server(() => ({ body: openAiReply('Summary from OpenAI.') }));
  const chain = new ProviderChain(
    [
      new UpstreamProvider({ url: upstreamUrl }),
      new OpenAiProvider({ apiKeys: 'sk', baseUrl: `${openai.url}/v1` }),
      new LocalProvider(),
    ],
    options,
  );
  return { openai, chain };
}

const outcomes = (result: { attempts: ReadonlyArray<{ provider: string; outcome: string }> }) =>
  result.attempts.map((attempt) => `${attempt.provider}:${attempt.outcome}`);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * How long a circuit stays open in these tests. A test that reads `open`
 * right after a call that fell back to the offline engine needs that call to
 * end within it: at 100 ms, a loaded CI machine once read `half-open`.
 */
const OPEN_FOR_MS = 600;

// The SDKs' first requests are slow; no test's timing pays for them.
beforeAll(warmProviderSdks);

describe('sharing the deadline among the remote providers', () => {
  it('gives each turn its timeout’s share of what is left, and the last one all of it', () => {
    expect(turnBudgetMs(45000, 60000, [30000, 30000, 30000])).toBe(18000);
    expect(turnBudgetMs(45000, 60000, [30000])).toBe(30000);
    expect(turnBudgetMs(12000, 30000, [])).toBe(12000);
    expect(turnBudgetMs(-5, 30000, [])).toBe(0);
  });

  it('times out a hung upstream within its share, opens its circuit and lets OpenAI answer', async () => {
    const upstream = await server(() => HANG);
    // The upstream's own timeout is longer than the whole deadline, as in production.
    const { openai, chain } = await upstreamThenOpenAi(upstream.url, {
      resilience: { ...FAST, timeoutMs: 2400, breakerThreshold: 2 },
      perProvider: { upstream: { timeoutMs: 4800 } },
      // The upstream's turn is 4800/7200 of it; OpenAI gets the rest (1.2 s,
      // time enough on a loaded machine).
      deadlineMs: 3600,
    });

    const results = [];
    for (let call = 0; call < 3; call += 1) results.push(await chain.runTask('summary', input));

    expect(results.map(outcomes)).toEqual([
      ['upstream:timeout', 'openai:success'],
      ['upstream:timeout', 'openai:success'],
      ['upstream:circuit-open', 'openai:success'],
    ]);
    expect(results.every((result) => result.provider === 'openai' && !result.degraded)).toBe(true);
    // Cut at the end of its turn: no time was left for a retry.
    expect(upstream.requests).toHaveLength(2);
    expect(openai.requests).toHaveLength(3);
    expect(chain.circuits()[0]?.state).toBe('open');
  });
});

describe('the turn of a provider before one that will be passed over', () => {
  // Found in review: a later provider whose circuit was open still had its
  // share reserved, so the one before it got half the deadline and timed out.
  it('gives it the time a provider with an open circuit would not use', async () => {
    const openai = await server((_request, index) =>
      index === 0
        ? { status: 500, body: {} }
        : { delayMs: 1400, body: openAiReply('Summary from OpenAI.') },
    );
    const upstream = await server(() => ({ status: 500, body: {} }));
    const chain = new ProviderChain(
      [
        new OpenAiProvider({ apiKeys: 'sk', baseUrl: `${openai.url}/v1` }),
        new UpstreamProvider({ url: upstream.url }),
        new LocalProvider(),
      ],
      {
        resilience: { ...FAST, timeoutMs: 2000, retries: 0 },
        perProvider: { upstream: { breakerThreshold: 1 } },
        deadlineMs: 2000,
      },
    );
    // Both fail; the upstream's circuit opens, OpenAI's stays closed.
    await chain.runTask('summary', input);
    expect(chain.circuits().map((circuit) => circuit.state)).toEqual(['closed', 'open', 'closed']);

    // Shared with the upstream, OpenAI's turn was 1 s of the 2 s; alone, it is all of it.
    const served = await chain.runTask('summary', input);
    expect(outcomes(served)).toEqual(['openai:success']);
  });
});

/**
 * An upstream whose circuit one failure has opened, half-open after OPEN_FOR_MS;
 * after `recover()` it answers, in 400 ms.
 */
async function upstreamWithOpenCircuit() {
  let healthy = false;
  const upstream = await server(() =>
    healthy ? { delayMs: 400, body: { summary: 'From upstream.' } } : { status: 500, body: {} },
  );
  const { chain } = await upstreamThenOpenAi(upstream.url, {
    resilience: { ...FAST, retries: 0, breakerThreshold: 1, halfOpenAfterMs: OPEN_FOR_MS },
  });
  await chain.runTask('summary', input);
  return { upstream, chain, recover: () => (healthy = true) };
}

describe('a caller that goes away', () => {
  it('counts against no provider, is not retried and stops the chain', async () => {
    const upstream = await server(() => ({ delayMs: 400, body: { summary: 'From upstream.' } }));
    const { openai, chain } = await upstreamThenOpenAi(upstream.url, { resilience: FAST });

    for (let call = 0; call < 3; call += 1) {
      const leaving = leaveOnceReceived(upstream, call + 1);
      await expect(chain.runTask('summary', input, leaving)).rejects.toMatchObject({
        name: 'AbortError',
      });
      expect(chain.circuits()[0]?.state).toBe('closed');
    }
    // One request each: neither retried nor passed on to OpenAI.
    expect(upstream.requests).toHaveLength(3);
    expect(openai.requests).toHaveLength(0);

    const served = await chain.runTask('summary', input);
    expect(served).toMatchObject({
      provider: 'upstream',
      output: 'From upstream.',
      degraded: false,
    });
  });

  it('lets a half-open circuit’s probe finish when its caller leaves, and judges by its answer', async () => {
    const { upstream, chain, recover } = await upstreamWithOpenCircuit();
    expect(chain.circuits()[0]?.state).toBe('open');

    recover();
    await pause(OPEN_FOR_MS + 50);
    // Its open period is over: the next call is a probe, and readiness says so before it comes.
    expect(chain.circuits()[0]).toMatchObject({ state: 'half-open' });
    expect(chain.circuits()[0]?.retryAfterMs).toBeUndefined();
    // The probe is the upstream's second request; its caller leaves before
    // the answer (400 ms later) and is answered at once.
    await expect(
      chain.runTask('summary', input, leaveOnceReceived(upstream, 2)),
    ).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(chain.circuits()[0]?.state).toBe('half-open');
    // The probe goes on: the upstream's answer closes the circuit. Counted
    // as a failure, callers leaving would keep a healthy provider's circuit open.
    for (
      let waited = 0;
      chain.circuits()[0]?.state === 'half-open' && waited < 5000;
      waited += 10
    ) {
      await pause(10);
    }
    expect(chain.circuits()[0]?.state).toBe('closed');
    expect(upstream.requests).toHaveLength(2);
    expect(await chain.runTask('summary', input)).toMatchObject({ provider: 'upstream' });
  });
});

describe('a caller that leaves during a retry backoff', () => {
  // Cockatiel's backoff is decorrelated jitter drawn from Math.random: now and
  // then the first one is under 200 ms, the retry begins before the caller
  // leaves and the call succeeds. The middle draw makes it about 3.6 s.
  beforeEach(() => jest.spyOn(Math, 'random').mockReturnValue(0.5));
  afterEach(() => jest.restoreAllMocks());

  it('is answered at once, and no further attempt is made', async () => {
    const failing = await server(() => ({ status: 500, body: {} }));
    const chain = new ProviderChain(
      [new OpenAiProvider({ apiKeys: 'sk', baseUrl: `${failing.url}/v1` }), new LocalProvider()],
      {
        resilience: { ...FAST, retries: 1, initialBackoffMs: 4000, maxBackoffMs: 4000 },
        deadlineMs: 20_000,
      },
    );
    // Leaves 200 ms after the request arrived: the 500 is back (a few ms
    // idle) and the backoff (about 3.6 s, see above) under way.
    const leaving = leaveOnceReceived(failing, 1, 200);
    let leftAt = 0;
    leaving.addEventListener('abort', () => (leftAt = performance.now()));
    await expect(chain.runTask('summary', input, leaving)).rejects.toMatchObject({
      name: 'AbortError',
    });
    // Answered at once, not at the end of the backoff (up to 4 s later).
    expect(performance.now() - leftAt).toBeLessThan(1500);
    // Past the longest backoff: the attempt after it stopped before calling.
    await pause(4200);
    expect(failing.requests).toHaveLength(1);
  });
});

describe('a half-open circuit', () => {
  it('sends the calls that arrive during its probe on to the next provider at once', async () => {
    const { upstream, chain, recover } = await upstreamWithOpenCircuit();
    recover();
    await pause(OPEN_FOR_MS + 50);

    const probe = chain.runTask('summary', input);
    expect(chain.circuits()[0]?.state).toBe('half-open');
    const during = await Promise.all(
      Array.from({ length: 4 }, () => chain.runTask('summary', input)),
    );

    // Waiting for the probe, they would have found the circuit closed and
    // asked the upstream each.
    expect(during.map(outcomes)).toEqual(
      Array.from({ length: 4 }, () => ['upstream:circuit-open', 'openai:success']),
    );
    expect(await probe).toMatchObject({ provider: 'upstream', output: 'From upstream.' });
    expect(chain.circuits()[0]?.state).toBe('closed');
    expect(upstream.requests).toHaveLength(2);
  });

  it('keeps its probe for when an API key may be used again', async () => {
    // One key, two calls at once: one's 429 rests the key for 2 s (which
    // counts against no circuit), the other's 500 opens the circuit. Both
    // answers wait, so both requests are sent before the key rests.
    const openai = await server((_request, index) => {
      if (index === 0) {
        return {
          delayMs: 800,
          status: 429,
          body: { error: { message: 'quota' } },
          headers: { 'retry-after': '2' },
        };
      }
      if (index === 1) return { delayMs: 800, status: 500, body: {} };
      return { body: openAiReply('Summary from OpenAI.') };
    });
    const chain = new ProviderChain(
      [new OpenAiProvider({ apiKeys: 'sk', baseUrl: `${openai.url}/v1` }), new LocalProvider()],
      { resilience: { ...FAST, retries: 0, breakerThreshold: 1, halfOpenAfterMs: OPEN_FOR_MS } },
    );
    await Promise.all([chain.runTask('summary', input), chain.runTask('summary', input)]);
    const restsUntil = performance.now() + 2000;
    expect(chain.circuits()[0]?.state).toBe('open');
    await pause(OPEN_FOR_MS + 50);

    // The probe is due, but nothing could be sent: taken as the probe, that
    // untested turn closed the circuit.
    const whileResting = await chain.runTask('summary', input);
    expect(whileResting.attempts[0]).toMatchObject({ provider: 'openai', outcome: 'failed' });
    expect(whileResting.attempts[0]?.error).toContain('cooling down');
    expect(chain.circuits()[0]?.state).toBe('open');
    expect(openai.requests).toHaveLength(2);

    await pause(restsUntil - performance.now() + 100);
    expect(await chain.runTask('summary', input)).toMatchObject({ provider: 'openai' });
    expect(chain.circuits()[0]?.state).toBe('closed');
    expect(openai.requests).toHaveLength(3);
  });

  it('is not reopened by a call begun while it was closed whose caller leaves during the probe', async () => {
    // Request 0 hangs (begun while closed), 1 fails (opens the circuit), 2 is the slow probe.
    const upstream = await server((_request, index) =>
      index === 0
        ? HANG
        : index === 1
          ? { status: 500, body: {} }
          : { delayMs: 300, body: { summary: 'From upstream.' } },
    );
    const { chain } = await upstreamThenOpenAi(upstream.url, {
      resilience: {
        ...FAST,
        timeoutMs: 5000,
        retries: 0,
        breakerThreshold: 1,
        halfOpenAfterMs: OPEN_FOR_MS,
      },
      deadlineMs: 20_000,
    });
    const leaver = new AbortController();
    const stale = chain.runTask('summary', input, leaver.signal);
    await upstream.received(1);
    await chain.runTask('summary', input);
    expect(chain.circuits()[0]?.state).toBe('open');
    await pause(OPEN_FOR_MS + 50);

    const probe = chain.runTask('summary', input);
    expect(chain.circuits()[0]?.state).toBe('half-open');
    await upstream.received(3);
    leaver.abort();
    await expect(stale).rejects.toMatchObject({ name: 'AbortError' });
    expect(await probe).toMatchObject({ provider: 'upstream', output: 'From upstream.' });
    expect(chain.circuits()[0]?.state).toBe('closed');
  });
});

/** OpenAI answering `respond`, and a chain of it and the offline engine. */
async function openAiThenOffline(
  respond: Parameters<typeof server>[0],
  resilience: Partial<ResiliencePolicy>,
) {
  const openai = await server(respond);
  const chain = new ProviderChain(
    [new OpenAiProvider({ apiKeys: 'sk', baseUrl: `${openai.url}/v1` }), new LocalProvider()],
    { resilience },
  );
  return { openai, chain };
}

// Found in an exploratory test: the retry wrapped the breaker, so each
// attempt of one call counted; with two retries and a threshold of three,
// one user's call that met three 500s opened OpenAI's circuit for everyone.
describe('a circuit breaker that counts calls, not attempts', () => {
  it('stays closed after one call whose every attempt failed, and opens after three', async () => {
    const { openai, chain } = await openAiThenOffline(() => ({ status: 500, body: {} }), {
      ...FAST,
      retries: 2,
      breakerThreshold: 3,
    });

    const first = await chain.runTask('summary', input);
    expect(openai.requests).toHaveLength(3);
    expect(first.attempts[0]).toMatchObject({ provider: 'openai', outcome: 'failed', status: 500 });
    expect(chain.circuits()[0]?.state).toBe('closed');

    await chain.runTask('summary', input);
    expect(chain.circuits()[0]?.state).toBe('closed');
    await chain.runTask('summary', input);
    expect(chain.circuits()[0]?.state).toBe('open');
    expect(openai.requests).toHaveLength(9);

    expect(outcomes(await chain.runTask('summary', input))).toEqual([
      'openai:circuit-open',
      'local:success',
    ]);
    expect(openai.requests).toHaveLength(9);
  });

  it('counts a call that a retry rescued as an answer, which ends a run of failed calls', async () => {
    // Call 1 fails three times; call 2 fails, then is answered on its retry; call 3 fails.
    const { openai, chain } = await openAiThenOffline(
      (_request, index) =>
        index === 4 ? { body: openAiReply('Summary from OpenAI.') } : { status: 500, body: {} },
      { ...FAST, retries: 2, breakerThreshold: 2 },
    );

    expect((await chain.runTask('summary', input)).provider).toBe('local');
    expect(await chain.runTask('summary', input)).toMatchObject({ provider: 'openai' });
    expect((await chain.runTask('summary', input)).provider).toBe('local');
    expect(openai.requests).toHaveLength(8);
    expect(chain.circuits()[0]?.state).toBe('closed');
  });

  it('lets a half-open circuit’s probe make one attempt: a probe that fails is not retried', async () => {
    const { openai, chain } = await openAiThenOffline(() => ({ status: 500, body: {} }), {
      ...FAST,
      retries: 2,
      breakerThreshold: 1,
      halfOpenAfterMs: OPEN_FOR_MS,
    });
    await chain.runTask('summary', input);
    expect(openai.requests).toHaveLength(3);
    expect(chain.circuits()[0]?.state).toBe('open');
    await pause(OPEN_FOR_MS + 50);

    const probe = await chain.runTask('summary', input);
    expect(outcomes(probe)).toEqual(['openai:failed', 'local:success']);
    expect(openai.requests).toHaveLength(4);
    expect(chain.circuits()[0]?.state).toBe('open');
  });

  it('starts counting afresh when a probe that met a rejected request closes the circuit', async () => {
    // Two 500s open it; the probe meets a 400 (about the request, not the
    // provider), which cockatiel takes as closing it; then one more 500.
    const { chain } = await openAiThenOffline(
      (_request, index) =>
        index === 2
          ? { status: 400, body: { error: { message: 'context length exceeded' } } }
          : { status: 500, body: {} },
      { ...FAST, retries: 0, breakerThreshold: 2, halfOpenAfterMs: OPEN_FOR_MS },
    );
    await chain.runTask('summary', input);
    await chain.runTask('summary', input);
    expect(chain.circuits()[0]?.state).toBe('open');
    await pause(OPEN_FOR_MS + 50);
    await chain.runTask('summary', input);
    expect(chain.circuits()[0]?.state).toBe('closed');

    // One failed call of the two that open it, not the third of a count never reset.
    await chain.runTask('summary', input);
    expect(chain.circuits()[0]?.state).toBe('closed');
  });
});

// Found in review: the /analyze fallback asks the chain with what is left of
// the request's deadline, and a turn of a few hundred milliseconds that ran
// out counted against a healthy provider; three such calls took it away from
// every user for the open period.
describe('a turn too short to judge a provider by', () => {
  /** OpenAI answers in 600 ms; with a 2 s timeout, a turn under 500 ms cannot judge it. */
  const slowButHealthy = () =>
    openAiThenOffline(() => ({ delayMs: 600, body: openAiReply('Summary from OpenAI.') }), {
      ...FAST,
      timeoutMs: 2000,
      breakerThreshold: 1,
      halfOpenAfterMs: OPEN_FOR_MS,
    });

  it('times out without counting against the provider’s circuit', async () => {
    const { openai, chain } = await slowButHealthy();
    for (let call = 0; call < 3; call += 1) {
      const result = await chain.runTask('summary', input, undefined, { deadlineMs: 300 });
      expect(outcomes(result)).toEqual(['openai:timeout', 'local:success']);
      expect(chain.circuits()[0]?.state).toBe('closed');
    }
    expect(openai.requests).toHaveLength(3);

    expect(await chain.runTask('summary', input)).toMatchObject({
      provider: 'openai',
      degraded: false,
    });
  });

  it('still counts a call whose retry was cut short after an attempt that hung', async () => {
    // The first attempt has the whole 2 s timeout and hangs; the retry gets
    // what is left of the 2.4 s turn (under 0.4 s, too short to judge by).
    const { openai, chain } = await openAiThenOffline(() => HANG, {
      ...FAST,
      timeoutMs: 2000,
      breakerThreshold: 1,
    });
    const result = await chain.runTask('summary', input, undefined, { deadlineMs: 2400 });
    expect(outcomes(result)).toEqual(['openai:timeout', 'local:success']);
    expect(openai.requests).toHaveLength(2);
    expect(chain.circuits()[0]?.state).toBe('open');
  });

  // Found in review: judged against its 4 s timeout alone, every turn of a
  // 1 s deadline was too short, so a hung provider never opened its circuit
  // (and an open one was never probed).
  it('judges by the turn a deadline configured short gives the provider', async () => {
    const openai = await server(() => HANG);
    const upstream = await server(() => ({ body: { summary: 'From upstream.' } }));
    const chain = new ProviderChain(
      [
        new OpenAiProvider({ apiKeys: 'sk', baseUrl: `${openai.url}/v1` }),
        new UpstreamProvider({ url: upstream.url }),
        new LocalProvider(),
      ],
      {
        resilience: { ...FAST, timeoutMs: 4000, retries: 0, breakerThreshold: 1 },
        // OpenAI's turn is half of it, 0.5 s: its whole turn, however short.
        deadlineMs: 1000,
      },
    );
    const first = await chain.runTask('summary', input);
    expect(outcomes(first)).toEqual(['openai:timeout', 'upstream:success']);
    expect(chain.circuits()[0]?.state).toBe('open');
  });

  it('sends no probe to an open circuit in a turn too short to judge by', async () => {
    let healthy = false;
    const { openai, chain } = await openAiThenOffline(
      () =>
        healthy
          ? { delayMs: 600, body: openAiReply('Summary from OpenAI.') }
          : { status: 500, body: {} },
      { ...FAST, timeoutMs: 2000, retries: 0, breakerThreshold: 1, halfOpenAfterMs: OPEN_FOR_MS },
    );
    await chain.runTask('summary', input);
    expect(chain.circuits()[0]?.state).toBe('open');
    healthy = true;
    await pause(OPEN_FOR_MS + 50);

    const short = await chain.runTask('summary', input, undefined, { deadlineMs: 300 });
    expect(outcomes(short)).toEqual(['openai:circuit-open', 'local:success']);
    expect(openai.requests).toHaveLength(1);

    // A call with time enough probes it, and the answer closes it.
    expect(await chain.runTask('summary', input)).toMatchObject({ provider: 'openai' });
    expect(openai.requests).toHaveLength(2);
    expect(chain.circuits()[0]?.state).toBe('closed');
  });
});
