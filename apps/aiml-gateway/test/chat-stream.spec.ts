import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CHAT_STREAM_EVENT_DATA, GATEWAY_API } from '@docuthinker/contracts';
import { parseEvents } from './support/server-sent-events';
import { asService, startTestGateway, type TestGateway } from './support/test-gateway';

const OWNER = 'owner-streams';
const DOCUMENT =
  'Quokkas are small marsupials that live on Rottnest Island near Perth. ' +
  'They are active at night and feed on grasses, leaves and stems.';

/** OpenAI's streamed chat completion, one event per piece of the model's text. */
const chunk = (content: string | null, finishReason: string | null = null) =>
  `data: ${JSON.stringify({
    id: 'chatcmpl-test',
    object: 'chat.completion.chunk',
    model: 'gpt-4o-mini-2024-07-18',
    choices: [
      { index: 0, delta: content === null ? {} : { content }, finish_reason: finishReason },
    ],
  })}\n\n`;

interface StreamScript {
  /** Events written at once. */
  readonly first: readonly string[];
  /** Events written once `until` settles; undefined: the connection is cut instead. */
  readonly rest?: readonly string[];
  readonly until?: Promise<void>;
}

/** A local server speaking OpenAI's streamed chat-completions wire format. */
async function startOpenAiStream(script: () => StreamScript | { status: number }) {
  const write = async (response: ServerResponse, plan: StreamScript) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const event of plan.first) await new Promise((done) => response.write(event, done));
    await plan.until;
    if (!plan.rest) return void response.socket?.end();
    for (const event of plan.rest) response.write(event);
    response.end();
  };
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const plan = script();
      if ('status' in plan) {
        response.writeHead(plan.status, { 'content-type': 'application/json' });
        return void response.end(JSON.stringify({ error: { message: 'down' } }));
      }
      void write(response, plan);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('POST /ai/v1/chat with stream: true, from a provider that streams', () => {
  let gateway: TestGateway;
  let openai: Awaited<ReturnType<typeof startOpenAiStream>>;
  let origin: string;

  async function start(script: Parameters<typeof startOpenAiStream>[0], local = true) {
    openai = await startOpenAiStream(script);
    gateway = await startTestGateway({
      engine: {
        providers: local ? ['openai', 'local'] : ['openai'],
        providerKeys: { openai: 'sk-test' },
        providerBaseUrls: { openai: openai.baseUrl },
      },
      captureLogs: true,
    });
    const indexed = await gateway.service({
      method: 'POST',
      url: GATEWAY_API.index,
      payload: { ownerId: OWNER, documentId: 'quokkas', title: 'Quokkas', text: DOCUMENT },
    });
    expect(indexed.statusCode).toBe(200);
    origin = await gateway.app.listen({ port: 0, host: '127.0.0.1' });
  }

  afterEach(async () => {
    await gateway?.close();
    await openai?.close();
  });

  const chat = () =>
    fetch(`${origin}${GATEWAY_API.chat}`, {
      method: 'POST',
      headers: { ...asService, 'content-type': 'application/json' },
      body: JSON.stringify({
        ownerId: OWNER,
        stream: true,
        messages: [{ role: 'user', content: 'Where do quokkas live?' }],
      }),
    });

  it('sends each piece as the model writes it, before the model has finished', async () => {
    let finish: () => void = () => undefined;
    const until = new Promise<void>((resolve) => (finish = resolve));
    await start(() => ({
      first: [chunk('Quokkas live on '), chunk('Rottnest Island [')],
      rest: [chunk('1].'), chunk(null, 'stop'), 'data: [DONE]\n\n'],
      until,
    }));

    const response = await chat();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    if (!response.body) throw new Error('a stream without a body');
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    // The model's first pieces arrive while it still holds the rest.
    let early = '';
    while (!early.includes('Rottnest Island')) {
      const { value, done } = await reader.read();
      expect(done).toBe(false);
      early += decoder.decode(value, { stream: true });
    }
    expect(parseEvents(early).map(({ event }) => event)).toEqual(['delta', 'delta']);
    finish();
    let all = early;
    for (let step = await reader.read(); !step.done; step = await reader.read()) {
      all += decoder.decode(step.value, { stream: true });
    }

    const events = parseEvents(all);
    const deltas = events.filter(({ event }) => event === 'delta');
    const done = CHAT_STREAM_EVENT_DATA.done.parse(events.at(-1)?.data);
    expect(deltas.map(({ data }) => (data as { text: string }).text).join('')).toBe(done.reply);
    expect(done).toMatchObject({
      reply: 'Quokkas live on Rottnest Island [1].',
      provider: 'openai',
      model: 'gpt-4o-mini-2024-07-18',
      degraded: false,
    });
    const { citations } = CHAT_STREAM_EVENT_DATA.citations.parse(events.at(-2)?.data);
    expect(citations).toEqual([expect.objectContaining({ documentId: 'quokkas' })]);
  });

  it('ends the stream with an error event when the provider fails mid-reply', async () => {
    await start(() => ({ first: [chunk('Quokkas live on '), chunk('Rottnest')] }));

    const response = await chat();
    const events = parseEvents(await response.text());

    expect(response.status).toBe(200);
    expect(events.map(({ event }) => event)).toEqual(['delta', 'delta', 'error']);
    const texts = events.slice(0, -1).map(({ data }) => (data as { text: string }).text);
    expect(texts.join('')).toBe('Quokkas live on Rottnest');
    const failure = CHAT_STREAM_EVENT_DATA.error.parse(events.at(-1)?.data);
    expect(failure).toMatchObject({ status: 502, code: 'DT_ERR_ANSWER_INTERRUPTED' });
    expect(failure.detail).toMatch(/^openai: failed after the reply began/);
    expect(gateway.logs()).toContainEqual(
      expect.objectContaining({ msg: 'the reply stream ended: DT_ERR_ANSWER_INTERRUPTED' }),
    );
  });

  it('answers with the problem status when no provider answers before the first piece', async () => {
    await start(() => ({ status: 500 }), false);

    const response = await chat();

    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toMatchObject({ code: 'DT_ERR_PROVIDERS_UNAVAILABLE' });
  });
});
