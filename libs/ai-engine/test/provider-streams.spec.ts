import type { AiProvider } from '../src/providers/ai-provider';
import { AnthropicProvider } from '../src/providers/anthropic-provider';
import { GoogleProvider } from '../src/providers/google-provider';
import { LocalProvider } from '../src/providers/local-provider';
import { OpenAiProvider } from '../src/providers/openai-provider';
import {
  AnswerInterruptedError,
  ProviderChain,
  ProvidersExhaustedError,
  type ProviderAttempt,
} from '../src/providers/provider-chain';
import type { AnswerRequest } from '../src/tasks/task-types';
import { FAST } from './support/fast-resilience';
import {
  anthropicStreamEvents,
  googleStreamEvents,
  openAiStreamEvents,
  providerServersClosedAfterEach,
  streamErrorEvent,
  type RecordedRequest,
} from './support/provider-test-server';
import { warmProviderSdks } from './support/warm-provider-sdks';

const server = providerServersClosedAfterEach();

// The SDKs' first requests are slow; no test's timing pays for them.
beforeAll(warmProviderSdks);

/** Each vendor's adapter, the events its API streams, and the model its stream names. */
const VENDORS = [
  {
    name: 'openai',
    provider: (url: string) => new OpenAiProvider({ apiKeys: 'sk-test', baseUrl: `${url}/v1` }),
    events: openAiStreamEvents,
    /** The index of the event that holds the answer's first piece of text. */
    firstText: 0,
    cutLength: 'length',
    answeredModel: 'gpt-4o-mini-2024-07-18',
    usage: { inputTokens: 120, outputTokens: 30 },
  },
  {
    name: 'anthropic',
    provider: (url: string) => new AnthropicProvider({ apiKeys: 'ak-test', baseUrl: url }),
    events: anthropicStreamEvents,
    /** The index of the event that holds the answer's first piece of text. */
    firstText: 2,
    cutLength: 'max_tokens',
    answeredModel: 'claude-3-5-haiku-20241022',
    usage: { inputTokens: 110, outputTokens: 25 },
  },
  {
    name: 'google',
    provider: (url: string) => new GoogleProvider({ apiKeys: 'gk-test', baseUrl: url }),
    events: googleStreamEvents,
    /** The index of the event that holds the answer's first piece of text. */
    firstText: 0,
    cutLength: 'MAX_TOKENS',
    answeredModel: 'gemini-2.0-flash-001',
    usage: { inputTokens: 100, outputTokens: 20 },
  },
] as const;

const request: AnswerRequest = {
  question: 'What may a licensee do?',
  passages: [
    { id: 'a', text: 'Redistribution in source form is permitted.' },
    { id: 'b', text: 'The software is provided as is.' },
    { id: 'c', text: 'Binary redistributions reproduce the notice.' },
  ],
};

/** The model's text cut as a stream cuts it: a marker split over two events. */
const PIECES = ['Licensees may redistribute ', 'the code [', '3] as is [2', '].'];
const ANSWER = 'Licensees may redistribute the code [1] as is [2].';

/** A promise and its resolver, for a server that holds the rest of its stream. */
function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/** Reads a stream to its end: the pieces, and the result or the failure. */
async function readAll(pieces: AsyncGenerator<string, unknown, undefined>) {
  const texts: string[] = [];
  try {
    for (;;) {
      const step = await pieces.next();
      if (step.done) return { texts, result: step.value };
      texts.push(step.value);
    }
  } catch (error) {
    return { texts, error };
  }
}

const summary = (attempts: readonly ProviderAttempt[]) =>
  attempts.map(({ provider, outcome, kind }) => `${provider}:${outcome}${kind ? `:${kind}` : ''}`);

function chainOf(providers: AiProvider[], attempts: ProviderAttempt[] = []) {
  return new ProviderChain(providers, {
    resilience: FAST,
    onAttempt: (attempt) => attempts.push(attempt),
  });
}

describe.each(VENDORS)('$name: an answer streamed as the model writes it', (vendor) => {
  const asksToStream = (recorded: RecordedRequest) =>
    vendor.name === 'google'
      ? recorded.path.includes(':streamGenerateContent')
      : (recorded.body as { stream?: unknown }).stream === true;

  it('passes each piece on before the model has finished, its markers renumbered', async () => {
    const rest = gate();
    const api = await server(() => ({
      stream: {
        events: vendor.events(PIECES),
        pause: { after: vendor.firstText + 2, until: rest.opened },
      },
    }));
    const chain = chainOf([vendor.provider(api.url), new LocalProvider()]);

    // Resolves while the server still holds the rest of the answer.
    const stream = await chain.streamAnswer(request);
    expect(stream.provider).toBe(vendor.name);
    const first = await stream.pieces.next();
    expect(first).toEqual({ done: false, value: 'Licensees may redistribute' });
    rest.open();

    const { texts, result } = await readAll(stream.pieces);
    expect([first.value, ...texts].join('')).toBe(ANSWER);
    expect(result).toMatchObject({
      provider: vendor.name,
      model: vendor.answeredModel,
      degraded: false,
      usage: vendor.usage,
      output: { answer: ANSWER, citedPassages: [2, 1] },
    });
    expect(api.requests).toHaveLength(1);
    expect(asksToStream(api.requests[0] as RecordedRequest)).toBe(true);
  });

  it('fails over before the first piece, as a whole answer does', async () => {
    const api = await server(() => ({
      status: 429,
      body: { error: { message: 'slow down' } },
      stream: { events: vendor.events(PIECES) },
    }));
    const attempts: ProviderAttempt[] = [];
    const chain = chainOf([vendor.provider(api.url), new LocalProvider()], attempts);

    const stream = await chain.streamAnswer(request);
    const { texts, result } = await readAll(stream.pieces);

    expect(stream.provider).toBe('local');
    expect(texts.join('')).toBe((result as { output: { answer: string } }).output.answer);
    expect(result).toMatchObject({ provider: 'local', degraded: true });
    expect(summary(attempts)).toEqual([`${vendor.name}:failed:rate-limited`, 'local:success']);
  });

  it('retries a stream cut before its first piece on the same provider', async () => {
    const api = await server((_, index) => ({
      stream: { events: vendor.events(PIECES), ...(index === 0 ? { cutAfter: 0 } : {}) },
    }));
    const stream = await chainOf([vendor.provider(api.url), new LocalProvider()]).streamAnswer(
      request,
    );
    const { texts } = await readAll(stream.pieces);

    expect(stream.provider).toBe(vendor.name);
    expect(texts.join('')).toBe(ANSWER);
    expect(api.requests).toHaveLength(2);
  });

  it('ends the answer with AnswerInterruptedError when the stream is cut after its first piece: no retry, no failover', async () => {
    const api = await server(() => ({
      stream: { events: vendor.events(PIECES), cutAfter: vendor.firstText + 1 },
    }));
    const attempts: ProviderAttempt[] = [];
    const chain = chainOf([vendor.provider(api.url), new LocalProvider()], attempts);

    const stream = await chain.streamAnswer(request);
    const { texts, error } = await readAll(stream.pieces);

    expect(texts.join('')).toBe('Licensees may redistribute');
    expect(error).toBeInstanceOf(AnswerInterruptedError);
    expect((error as AnswerInterruptedError).attempt).toMatchObject({
      provider: vendor.name,
      outcome: 'failed',
      kind: 'network',
    });
    expect(summary(attempts)).toEqual([`${vendor.name}:failed:network`]);
    expect(api.requests).toHaveLength(1);
  });

  it('counts streams cut mid-answer against the provider: its circuit opens', async () => {
    const api = await server(() => ({
      stream: { events: vendor.events(PIECES), cutAfter: vendor.firstText + 1 },
    }));
    const chain = chainOf([vendor.provider(api.url), new LocalProvider()]);
    const threshold = Number(FAST.breakerThreshold);
    for (let call = 0; call < threshold; call += 1) {
      const { error } = await readAll((await chain.streamAnswer(request)).pieces);
      expect(error).toBeInstanceOf(AnswerInterruptedError);
    }
    expect(chain.circuits()[0]).toMatchObject({ provider: vendor.name, state: 'open' });
    // The next answer comes from the offline engine, without asking the provider.
    expect((await chain.streamAnswer(request)).provider).toBe('local');
    expect(api.requests).toHaveLength(threshold);
  });

  it('ends an answer that stalls after its first piece at the provider’s timeout', async () => {
    const never = new Promise<void>(() => undefined);
    const api = await server(() => ({
      stream: {
        events: vendor.events(PIECES),
        pause: { after: vendor.firstText + 1, until: never },
      },
    }));
    const attempts: ProviderAttempt[] = [];
    const chain = chainOf([vendor.provider(api.url), new LocalProvider()], attempts);

    const { texts, error } = await readAll((await chain.streamAnswer(request)).pieces);

    expect(texts.join('')).toBe('Licensees may redistribute');
    expect((error as AnswerInterruptedError).attempt).toMatchObject({ outcome: 'timeout' });
    expect(summary(attempts)).toEqual([`${vendor.name}:timeout`]);
    expect(api.requests).toHaveLength(1);
  });

  /** A pause after the first piece that resolves after `ms`. */
  const pauseAfterFirstPiece = (ms: number) => ({
    after: vendor.firstText + 1,
    until: new Promise((resolve) => setTimeout(resolve, ms)),
  });
  /**
   * Two remote providers with 4 s timeouts (also the longest wait between
   * pieces): the first one's turn is half the deadline, 1.5 s of 3 s or 0.6 s of 1.2 s.
   */
  const resilience = { ...FAST, timeoutMs: 4000 };

  it('lets an answer that has begun run past its turn while its pieces keep coming', async () => {
    // Resumes 0.3 s past its turn, 1.2 s before the deadline: room for a loaded machine.
    const api = await server(() => ({
      stream: { events: vendor.events(PIECES), pause: pauseAfterFirstPiece(1800) },
    }));
    const next = vendor.name === VENDORS[0].name ? VENDORS[1] : VENDORS[0];
    const attempts: ProviderAttempt[] = [];
    const chain = new ProviderChain(
      [vendor.provider(api.url), next.provider(api.url), new LocalProvider()],
      { resilience, deadlineMs: 3000, onAttempt: (attempt) => attempts.push(attempt) },
    );

    const { texts, result, error } = await readAll((await chain.streamAnswer(request)).pieces);

    // Cut at the end of its turn, this answer broke off and counted against its provider.
    expect(error).toBeUndefined();
    expect(texts.join('')).toBe(ANSWER);
    expect(result).toMatchObject({ provider: vendor.name, degraded: false });
    expect(summary(attempts)).toEqual([`${vendor.name}:success`]);
  });

  it('ends an answer that has begun at the call’s deadline, pieces or not', async () => {
    const api = await server(() => ({
      stream: { events: vendor.events(PIECES), pause: pauseAfterFirstPiece(1800) },
    }));
    const attempts: ProviderAttempt[] = [];
    const chain = new ProviderChain([vendor.provider(api.url), new LocalProvider()], {
      resilience: { ...resilience, breakerThreshold: 1 },
      deadlineMs: 1200,
      onAttempt: (attempt) => attempts.push(attempt),
    });

    const { texts, error } = await readAll((await chain.streamAnswer(request)).pieces);

    expect(texts.join('')).toBe('Licensees may redistribute');
    expect((error as AnswerInterruptedError).attempt).toMatchObject({
      outcome: 'timeout',
      error: expect.stringMatching(/deadline/),
    });
    expect(summary(attempts)).toEqual([`${vendor.name}:timeout`]);
    // A provider still answering when the call's time is up is not a sick one.
    expect(chain.circuits()[0]?.state).toBe('closed');
  });

  it('marks an answer cut at the output limit degraded', async () => {
    const api = await server(() => ({
      stream: { events: vendor.events(PIECES, vendor.cutLength) },
    }));
    const { result } = await readAll(
      (await chainOf([vendor.provider(api.url)]).streamAnswer(request)).pieces,
    );
    expect(result).toMatchObject({ degraded: true, output: { answer: ANSWER } });
  });

  it('fails a stream with nothing to show over to the next provider', async () => {
    const api = await server(() => ({ stream: { events: vendor.events(['  ', '[7]']) } }));
    const attempts: ProviderAttempt[] = [];
    const chain = chainOf([vendor.provider(api.url), new LocalProvider()], attempts);

    expect((await chain.streamAnswer(request)).provider).toBe('local');
    expect(summary(attempts)).toEqual([`${vendor.name}:failed:unusable`, 'local:success']);
  });

  it('rejects before any piece when no provider answers', async () => {
    const api = await server(() => ({ status: 500, body: { error: { message: 'down' } } }));
    const attempts: ProviderAttempt[] = [];
    await expect(
      chainOf([vendor.provider(api.url)], attempts).streamAnswer(request),
    ).rejects.toBeInstanceOf(ProvidersExhaustedError);
    // Retried once, as a whole answer is.
    expect(api.requests).toHaveLength(2);
  });
});

describe('an error the API sends in place of the rest of the stream', () => {
  it.each([
    ['openai', VENDORS[0], streamErrorEvent.openai, 2, 'server_error'],
    ['anthropic', VENDORS[1], streamErrorEvent.anthropic, 4, 'overloaded_error'],
  ] as const)('%s: counts as a server failure', async (_, vendor, errorEvent, at, code) => {
    const events = vendor.events(PIECES);
    const api = await server(() => ({
      stream: { events: [...events.slice(0, at), errorEvent] },
    }));
    const { texts, error } = await readAll(
      (await chainOf([vendor.provider(api.url)]).streamAnswer(request)).pieces,
    );
    expect(texts.length).toBeGreaterThan(0);
    expect((error as AnswerInterruptedError).attempt).toMatchObject({
      outcome: 'failed',
      kind: 'server',
      code,
    });
  });

  it('openai: reads an event that is not a chunk as malformed', async () => {
    const events = openAiStreamEvents(PIECES);
    const api = await server(() => ({
      stream: { events: [events[0] as string, 'data: {"choices": "none"}\n\n'] },
    }));
    const { error } = await readAll(
      (await chainOf([VENDORS[0].provider(api.url)]).streamAnswer(request)).pieces,
    );
    expect((error as AnswerInterruptedError).attempt).toMatchObject({ kind: 'malformed' });
  });
});

describe('providers without a stream of their own', () => {
  it('give their whole answer as one piece', async () => {
    const stream = await chainOf([new LocalProvider()]).streamAnswer(request);
    const { texts, result } = await readAll(stream.pieces);
    expect(stream.provider).toBe('local');
    expect(texts).toHaveLength(1);
    expect(texts[0]).toBe((result as { output: { answer: string } }).output.answer);
  });
});
