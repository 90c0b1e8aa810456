import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatewayClient } from '../src/gateway/gateway-client';
import { CallerLeftError, GatewayUnavailableError } from '../src/gateway/gateway-errors';
import { SUMMARY_ANSWER } from './support/summary-answer';

/** A gateway whose every answer waits for the test to release it; it notes requests whose caller hung up. */
function heldGateway() {
  const held: Array<{ res: ServerResponse; closedEarly: boolean }> = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    const entry = { res, closedEarly: false };
    res.once('close', () => {
      if (!res.writableFinished) entry.closedEarly = true;
    });
    held.push(entry);
  });
  return {
    held,
    async start(): Promise<string> {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    answerAll(): void {
      for (const { res } of held) {
        if (!res.writableEnded && !res.destroyed) {
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify(SUMMARY_ANSWER));
        }
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const waitFor = async (condition: () => boolean) => {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 5000) throw new Error('condition not met within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('the gateway client when the user’s client leaves', () => {
  const gateway = heldGateway();
  let url: string;
  beforeAll(async () => {
    url = await gateway.start();
  });
  afterAll(() => gateway.close());

  it('cancels a call of the closed circuit at once, and counts it against nothing', async () => {
    const client = createGatewayClient({ baseUrl: url, serviceToken: 't', failuresToOpen: 1 });
    const leaving = new AbortController();
    const call = client.runTask('summary', { text: 'x' }, { signal: leaving.signal });
    await waitFor(() => gateway.held.length === 1);
    leaving.abort();
    await expect(call).rejects.toBeInstanceOf(CallerLeftError);
    await waitFor(() => gateway.held[0]?.closedEarly === true);
    // One failure would have opened this breaker: the next call still reaches the gateway.
    const next = client.runTask('summary', { text: 'x' });
    await waitFor(() => gateway.held.length === 2);
    gateway.answerAll();
    await expect(next).resolves.toMatchObject({ output: 'A summary.' });
  });

  it('lets the half-open circuit’s test call run to its end, so its answer closes the circuit', async () => {
    gateway.held.length = 0;
    const client = createGatewayClient({
      baseUrl: url,
      serviceToken: 't',
      failuresToOpen: 1,
      halfOpenAfterMs: 100,
      // Long enough that the test call, held while the caller leaves, does not
      // time out before it is answered (at 200 ms it did, once, on a loaded CI machine).
      requestTimeoutMs: 1_000,
    });
    // Unanswered: the call times out and opens the circuit.
    await expect(client.runTask('summary', { text: 'x' })).rejects.toBeInstanceOf(
      GatewayUnavailableError,
    );
    await new Promise((resolve) => setTimeout(resolve, 150));

    const leaving = new AbortController();
    const test = client.runTask('summary', { text: 'x' }, { signal: leaving.signal });
    await waitFor(() => gateway.held.length === 2);
    leaving.abort();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(gateway.held[1]?.closedEarly).toBe(false);
    gateway.answerAll();
    await expect(test).resolves.toMatchObject({ output: 'A summary.' });
    // Closed by that answer: the next call is sent, not refused.
    const next = client.runTask('summary', { text: 'x' });
    await waitFor(() => gateway.held.length === 3);
    gateway.answerAll();
    await expect(next).resolves.toMatchObject({ output: 'A summary.' });
  });
});
