import { Agent, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getThrough as get } from '@docuthinker/testing';
import { closeHttpServer } from '../src';

describe('closeHttpServer', () => {
  let server: Server;
  let port: number;

  beforeEach(async () => {
    server = createServer((_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterEach(() => server.closeAllConnections());

  it('answers a request sent on an idle keep-alive connection as shutdown begins, and retires that connection', async () => {
    // A load balancer's pooled connection: idle when SIGTERM arrives, and
    // already chosen for the next request.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    expect((await get(port, agent)).status).toBe(200);

    const closing = closeHttpServer(server, 5000);
    const answer = await get(port, agent);

    expect(answer).toEqual({ status: 200, connection: 'close' });
    await closing;
    expect(server.listening).toBe(false);
    agent.destroy();
  });

  it('refuses new connections once shutdown begins', async () => {
    const closing = closeHttpServer(server, 5000);

    await expect(get(port, new Agent())).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await closing;
  });

  it('closes connections that stay idle, so the drain ends', async () => {
    const agent = new Agent({ keepAlive: true });
    await get(port, agent);

    const started = Date.now();
    await closeHttpServer(server, 10_000);

    // Within the idle grace plus a sweep, far below the drain timeout.
    expect(Date.now() - started).toBeLessThan(5_000);
    agent.destroy();
  });
});
