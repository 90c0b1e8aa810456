import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getThrough as get } from '@docuthinker/testing';
import {
  closeHttpServer,
  createServiceLogger,
  installGracefulShutdown,
  stopAccepting,
} from '../src';

interface LogLine {
  level: string;
  msg: string;
  step?: string;
  drainTimeoutMs?: number;
  requestsInFlight?: number;
}

/** A logger whose lines the test reads back. */
function capturedLogger() {
  const lines: LogLine[] = [];
  const logger = createServiceLogger({
    service: 'test',
    level: 'info',
    secretValues: [],
    destination: { write: (line: string) => lines.push(JSON.parse(line) as LogLine) },
  });
  return { logger, lines };
}

describe('installGracefulShutdown with closeHttpServer: the drain outcome', () => {
  let server: Server;
  let port: number;
  let received = 0;
  const finishRequests: Array<() => void> = [];

  beforeEach(async () => {
    received = 0;
    // `/hang` answers only when the test says so: a slow upload or a stuck
    // upstream call, still in flight when shutdown begins.
    server = createServer((req, response) => {
      received += 1;
      if (req.url === '/hang') finishRequests.push(() => response.end('late'));
      else response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterEach(() => {
    finishRequests.length = 0;
    server.closeAllConnections();
  });

  /** Starts `count` requests to /hang, each on its own connection; resolves once the server has them all. */
  async function hangingRequests(count: number): Promise<Array<Promise<string>>> {
    const before = received;
    const outcomes = Array.from(
      { length: count },
      () =>
        new Promise<string>((resolve) => {
          const outgoing = request({ host: '127.0.0.1', port, path: '/hang', agent: new Agent() });
          outgoing.on('response', (response) => {
            response.resume();
            response.on('end', () => resolve(`answered ${response.statusCode}`));
          });
          outgoing.on('error', (error: NodeJS.ErrnoException) => resolve(`failed ${error.code}`));
          outgoing.end();
        }),
    );
    while (received < before + count) await new Promise((resolve) => setTimeout(resolve, 10));
    return outcomes;
  }

  it('warns how many requests the timeout cut, before "stopped"', async () => {
    const { logger, lines } = capturedLogger();
    // An idle keep-alive connection too: closing it is no cut request.
    const agent = new Agent({ keepAlive: true });
    await get(port, agent);
    const requests = await hangingRequests(3);
    const exit = jest.fn();
    const shutdown = installGracefulShutdown({
      logger,
      drainTimeoutMs: 300,
      signals: [],
      exit,
      // A framework's own close around the server's, as the gateway passes.
      steps: [
        {
          name: 'http',
          run: () => closeHttpServer(server, 300, async () => stopAccepting(server)),
        },
      ],
    });

    await shutdown();

    expect(await Promise.all(requests)).toEqual([
      'failed ECONNRESET',
      'failed ECONNRESET',
      'failed ECONNRESET',
    ]);
    expect(lines.map(({ level, msg }) => `${level} ${msg}`)).toEqual([
      'info shutting down',
      'warn drain timed out after 300 ms: cut 3 requests in flight',
      'info stopped',
    ]);
    expect(lines[1]).toMatchObject({ step: 'http', drainTimeoutMs: 300, requestsInFlight: 3 });
    expect(exit).toHaveBeenCalledWith(0);
    agent.destroy();
  });

  it('logs a drain that finished in time as before: "shutting down", then "stopped"', async () => {
    const { logger, lines } = capturedLogger();
    const requests = await hangingRequests(1);
    const exit = jest.fn();
    const shutdown = installGracefulShutdown({
      logger,
      drainTimeoutMs: 5000,
      signals: [],
      exit,
      steps: [{ name: 'http', run: () => closeHttpServer(server, 5000) }],
    });

    const stopping = shutdown();
    setTimeout(() => finishRequests.forEach((finish) => finish()), 100);
    await stopping;

    expect(await Promise.all(requests)).toEqual(['answered 200']);
    expect(lines.map(({ msg }) => msg)).toEqual(['shutting down', 'stopped']);
    expect(exit).toHaveBeenCalledWith(0);
  });
});
