import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeGatewayServer } from '../src/http/close-gateway-server';
import { startTestGateway, type TestGateway } from './support/test-gateway';

function get(port: number, agent: Agent): Promise<{ status: number; connection?: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, path: '/health', agent }, (response) => {
      response.resume();
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          ...(response.headers.connection ? { connection: response.headers.connection } : {}),
        }),
      );
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe('the gateway draining on SIGTERM', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('answers a request sent on an idle keep-alive connection after shutdown began, then retires it', async () => {
    await gateway.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = gateway.app.server.address() as AddressInfo;
    // The backend's (or the load balancer's) pooled connection, idle when SIGTERM arrives.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    expect((await get(port, agent)).status).toBe(200);

    const draining = closeGatewayServer(gateway.app, 5000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const answer = await get(port, agent);

    expect(answer).toEqual({ status: 200, connection: 'close' });
    await draining;
    expect(gateway.app.server.listening).toBe(false);
    agent.destroy();
  });
});
