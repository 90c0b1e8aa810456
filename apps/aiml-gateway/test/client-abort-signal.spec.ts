import Fastify from 'fastify';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { clientAbortSignal } from '../src/http/client-abort-signal';

/**
 * Whether the signal a route makes is aborted when it makes it, for a client
 * that `left` while a hook before the route ran (an authentication or limit
 * check waiting on Redis), or that `stays` for its answer.
 */
async function signalWhenTheClient(timing: 'left' | 'stays'): Promise<boolean> {
  let settle: (aborted: boolean) => void = () => undefined;
  const abortedWhenMade = new Promise<boolean>((resolve) => {
    settle = resolve;
  });
  // The client leaves once its request is in a hook: a timer could fire
  // before a busy machine had even connected, and no request would come.
  let leave: () => void = () => undefined;
  const app = Fastify();
  app.post(
    '/work',
    {
      preHandler: async (req) => {
        if (timing === 'left') {
          const closed = new Promise((resolve) => req.raw.socket.once('close', resolve));
          leave();
          await closed;
        }
      },
    },
    async (_req, reply) => {
      settle(clientAbortSignal(reply).aborted);
      return { ok: true };
    },
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const client = request({
    port,
    host: '127.0.0.1',
    method: 'POST',
    path: '/work',
    headers: { 'content-type': 'application/json' },
  });
  client.on('error', () => undefined);
  client.on('response', (answer) => answer.resume());
  client.end('{"text":"hello"}');
  if (timing === 'left') leave = () => client.destroy();
  try {
    return await abortedWhenMade;
  } finally {
    await app.close();
  }
}

describe('clientAbortSignal', () => {
  // Found in review (the backend's twin was found in an exploratory test): a
  // call made for a client that left during the hooks was never cancelled.
  it('is aborted at once for a client that left before the route made it', async () => {
    expect(await signalWhenTheClient('left')).toBe(true);
  });

  it('is not aborted for a client that waits for its answer', async () => {
    expect(await signalWhenTheClient('stays')).toBe(false);
  });
});
