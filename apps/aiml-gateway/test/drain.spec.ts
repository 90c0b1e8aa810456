import { Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getThrough } from '@docuthinker/testing';
import { closeGatewayServer } from '../src/http/close-gateway-server';
import { startTestGateway, type TestGateway } from './support/test-gateway';

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
    expect((await getThrough(port, agent, '/health')).status).toBe(200);

    const draining = closeGatewayServer(gateway.app, 5000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const answer = await getThrough(port, agent, '/health');

    expect(answer).toEqual({ status: 200, connection: 'close' });
    await draining;
    expect(gateway.app.server.listening).toBe(false);
    agent.destroy();
  });
});
