import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GATEWAY_CLIENT_DEFAULTS, createGatewayClient } from '../src/gateway/gateway-client';
import { GatewayUnavailableError } from '../src/gateway/gateway-errors';
import { SUMMARY_ANSWER } from './support/summary-answer';

/**
 * A gateway that accepts connections and answers nothing, /health included,
 * as a SIGSTOPped one does (the kernel still completes the handshakes);
 * `answerTasksAfterMs` makes it a slow but running one instead.
 */
async function fakeGateway(answerTasksAfterMs?: number) {
  const paths: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    paths.push(req.url ?? '');
    if (answerTasksAfterMs === undefined) return;
    if (req.url === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    setTimeout(() => {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify(SUMMARY_ANSWER));
    }, answerTasksAfterMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    paths,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function timed<T>(
  work: Promise<T>,
): Promise<{ outcome: PromiseSettledResult<T>; ms: number }> {
  const started = performance.now();
  const [outcome] = await Promise.allSettled([work]);
  return { outcome: outcome as PromiseSettledResult<T>, ms: performance.now() - started };
}

/**
 * Found by an exploratory test: with the gateway frozen, every AI request
 * waited the client's whole 50 s timeout, and the breaker (which counts a
 * call when it ends) opened only after that.
 */
describe('the gateway client when the gateway stops answering', () => {
  const options = { livenessCheckEveryMs: 200, livenessTimeoutMs: 300, requestTimeoutMs: 30_000 };

  it('fails its waiting calls within the check and its timeout, and opens the breaker', async () => {
    const gateway = await fakeGateway();
    try {
      const client = createGatewayClient({
        baseUrl: gateway.url,
        serviceToken: 't',
        failuresToOpen: 5,
        ...options,
      });
      const calls = await Promise.all(
        Array.from({ length: 6 }, () => timed(client.runTask('summary', { text: 'x' }))),
      );
      for (const { outcome, ms } of calls) {
        expect(outcome.status).toBe('rejected');
        const reason = (outcome as PromiseRejectedResult).reason as GatewayUnavailableError;
        expect(reason).toBeInstanceOf(GatewayUnavailableError);
        expect(reason.message).toContain('the gateway did not answer /health within 300 ms');
        // One check (200 ms) and its timeout (300 ms), with room for a loaded machine.
        expect(ms).toBeLessThan(3_000);
      }
      // Six calls, and one shared /health at a time.
      expect(gateway.paths.filter((path) => path === '/health').length).toBeLessThanOrEqual(2);
      const sent = gateway.paths.length;
      const refused = await timed(client.runTask('summary', { text: 'x' }));
      expect(refused.outcome.status).toBe('rejected');
      expect(((refused.outcome as PromiseRejectedResult).reason as Error).message).toContain(
        'circuit open after repeated failures',
      );
      expect(gateway.paths.length).toBe(sent);
    } finally {
      await gateway.close();
    }
  });

  it('waits as long as a running gateway takes, however often it checks', async () => {
    const gateway = await fakeGateway(1_200);
    try {
      const client = createGatewayClient({ baseUrl: gateway.url, serviceToken: 't', ...options });
      await expect(client.runTask('summary', { text: 'x' })).resolves.toMatchObject({
        output: 'A summary.',
      });
      // Asked while it waited (one answer is reused for a second), and alive.
      expect(gateway.paths.filter((path) => path === '/health').length).toBeGreaterThanOrEqual(1);
    } finally {
      await gateway.close();
    }
  });

  it('checks early enough by default that a frozen gateway costs seconds, not the timeout', () => {
    const { livenessCheckEveryMs, livenessTimeoutMs, requestTimeoutMs } = GATEWAY_CLIENT_DEFAULTS;
    expect(livenessCheckEveryMs + livenessTimeoutMs).toBeLessThanOrEqual(5_000);
    expect(livenessCheckEveryMs + livenessTimeoutMs).toBeLessThan(requestTimeoutMs / 5);
  });
});
