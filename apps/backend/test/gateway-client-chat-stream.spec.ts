import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatewayClient, type GatewayClient } from '../src/gateway/gateway-client';
import type { GatewayChatEvent } from '../src/gateway/gateway-chat-events';
import {
  AnswerInterruptedError,
  CallerLeftError,
  GatewayUnavailableError,
} from '../src/gateway/gateway-errors';

const event = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

const DONE = { reply: 'Hi there', provider: 'openai', model: 'gpt-test', degraded: false };

/** How the scripted gateway answers the next chat call. */
type Script = (res: ServerResponse) => void;

const streamHead = (res: ServerResponse) =>
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });

const CHAT = {
  ownerId: 'owner-1',
  documentId: 'doc-1',
  messages: [{ role: 'user' as const, content: 'Hi?' }],
};

describe("the gateway client reading a chat reply's events", () => {
  let server: Server;
  let url: string;
  let script: Script;
  let closedEarly: number;
  let connections: number;

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      res.once('close', () => {
        if (!res.writableFinished) closedEarly += 1;
      });
      script(res);
    });
    server.on('connection', () => (connections += 1));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    closedEarly = 0;
    connections = 0;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const clientWith = (options: { requestTimeoutMs?: number; failuresToOpen?: number } = {}) =>
    createGatewayClient({ baseUrl: url, serviceToken: 'service-token', ...options });

  async function readAll(
    gateway: GatewayClient,
    signal?: AbortSignal,
  ): Promise<GatewayChatEvent[]> {
    const events: GatewayChatEvent[] = [];
    for await (const received of await gateway.chatStream(CHAT, signal ? { signal } : {}))
      events.push(received);
    return events;
  }

  it('yields the pieces, the citations and done, checked against the contract', async () => {
    script = (res) => {
      streamHead(res);
      res.write(event('delta', { text: 'Hi ' }));
      res.write(event('delta', { text: 'there' }));
      res.write(event('citations', { citations: [] }));
      res.end(event('done', DONE));
    };
    expect(await readAll(clientWith())).toEqual([
      { event: 'delta', data: { text: 'Hi ' } },
      { event: 'delta', data: { text: 'there' } },
      { event: 'citations', data: { citations: [] } },
      { event: 'done', data: DONE },
    ]);
  });

  it('leaves the connection of a reply read to its end to the next call', async () => {
    script = (res) => {
      streamHead(res);
      res.write(event('delta', { text: 'Hi there' }));
      res.end(event('done', DONE));
    };
    const gateway = clientWith();
    for (let call = 0; call < 3; call += 1) expect(await readAll(gateway)).toHaveLength(2);
    expect(connections).toBe(1);
    expect(closedEarly).toBe(0);

    // A stream that goes on after done is closed, done still read.
    script = (res) => {
      streamHead(res);
      res.write(event('done', DONE));
    };
    expect(await readAll(gateway)).toEqual([{ event: 'done', data: DONE }]);
    await waitFor(() => closedEarly === 1);
  });

  // Only the stall waits its timeout out; the others answer at once, and
  // 300 ms for their headers could run out first on a loaded machine.
  const ANSWERS_AT_ONCE_MS = 5_000;
  it.each<[string, Script, RegExp, number]>([
    [
      'the gateway’s error event',
      (res) => {
        streamHead(res);
        res.write(event('delta', { text: 'Hi' }));
        res.end(
          event('error', {
            type: 'about:blank',
            title: 'Broke off',
            status: 502,
            code: 'DT_ERR_ANSWER_INTERRUPTED',
          }),
        );
      },
      /ended the reply with DT_ERR_ANSWER_INTERRUPTED/,
      ANSWERS_AT_ONCE_MS,
    ],
    [
      'an event off the contract',
      (res) => {
        streamHead(res);
        res.end(event('delta', { words: ['Hi'] }));
      },
      /a delta event off the contract/,
      ANSWERS_AT_ONCE_MS,
    ],
    [
      'data that is not JSON',
      (res) => {
        streamHead(res);
        res.end('event: delta\ndata: {oops\n\n');
      },
      /not JSON/,
      ANSWERS_AT_ONCE_MS,
    ],
    [
      'a stream that ends before done',
      (res) => {
        streamHead(res);
        res.end(event('delta', { text: 'Hi' }));
      },
      /ended before its done event/,
      ANSWERS_AT_ONCE_MS,
    ],
    [
      'a stall longer than the request timeout',
      (res) => {
        streamHead(res);
        res.write(event('delta', { text: 'Hi' }));
      },
      /no event within 300 ms/,
      300,
    ],
  ])('ends with AnswerInterruptedError on %s', async (_, answer, reason, requestTimeoutMs) => {
    script = answer;
    const reading = readAll(clientWith({ requestTimeoutMs }));
    await expect(reading).rejects.toBeInstanceOf(AnswerInterruptedError);
    await expect(reading).rejects.toMatchObject({ reason: expect.stringMatching(reason) });
  });

  it('does not count a reply that broke off against the breaker; a 2xx that is no stream it does', async () => {
    const gateway = clientWith({ failuresToOpen: 1 });
    let replying: ServerResponse | undefined;
    script = (res) => {
      streamHead(res);
      res.write(event('delta', { text: 'Hi' }));
      replying = res;
    };
    const events = await gateway.chatStream(CHAT);
    expect((await events.next()).value).toEqual({ event: 'delta', data: { text: 'Hi' } });
    // Cut once the piece was read: cut with it, Node 24's fetch may drop the piece.
    replying?.socket?.end();
    await expect(events.next()).rejects.toBeInstanceOf(AnswerInterruptedError);
    script = (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    // Still closed: this call reaches the gateway, and its answer opens the circuit.
    await expect(gateway.chatStream(CHAT)).rejects.toMatchObject({
      reason: expect.stringMatching(/not an event stream/),
    });
    await expect(gateway.chatStream(CHAT)).rejects.toMatchObject({
      reason: expect.stringMatching(/circuit open/),
    });
  });

  it('answers a 2xx that is no stream, cut as it is read, as an unavailable gateway', async () => {
    script = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).write('{"reply": "Hi');
      res.socket?.destroy();
    };
    for (let call = 0; call < 5; call += 1) {
      await expect(clientWith().chatStream(CHAT)).rejects.toBeInstanceOf(GatewayUnavailableError);
    }
  });

  it('answers a refusal before the reply began as the JSON chat does', async () => {
    script = (res) =>
      res
        .writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '7' })
        .end(JSON.stringify({ status: 503, code: 'DT_ERR_PROVIDERS_UNAVAILABLE' }));
    const refused = clientWith().chatStream(CHAT);
    await expect(refused).rejects.toBeInstanceOf(GatewayUnavailableError);
    await expect(refused).rejects.toMatchObject({ retryAfterSeconds: 7 });
  });

  it('closes the connection when its reader stops early, or its caller leaves', async () => {
    script = (res) => {
      streamHead(res);
      res.write(event('delta', { text: 'Hi' }));
    };
    const events = await clientWith().chatStream(CHAT);
    expect((await events.next()).value).toEqual({ event: 'delta', data: { text: 'Hi' } });
    await events.return();
    await waitFor(() => closedEarly === 1);

    // The caller leaves once the reply has begun: a fixed 50 ms could
    // fall before the request reached the gateway on a loaded machine.
    const leaving = new AbortController();
    script = (res) => {
      streamHead(res);
      res.write(event('delta', { text: 'Hi' }));
      setImmediate(() => leaving.abort());
    };
    const reading = readAll(clientWith(), leaving.signal);
    await expect(reading).rejects.toBeInstanceOf(CallerLeftError);
    await waitFor(() => closedEarly === 2);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 2000) throw new Error('the condition never held');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
