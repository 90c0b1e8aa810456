import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Request, Response } from 'express';
import { gatewayCallContext } from '../src/routes/gateway-call-context';

type Outcome = { abortedWhenAsked: boolean; abortedOnceAnswered?: boolean };

/**
 * The signal of a gateway call asked for by a route whose client `left`
 * before it asked (while the request was authenticated or read, so `close`
 * had fired already), or `stays` for the answer.
 */
async function callContextWhenTheClient(timing: 'left' | 'stays'): Promise<Outcome> {
  let settle: (outcome: Outcome) => void = () => undefined;
  const outcome = new Promise<Outcome>((resolve) => {
    settle = resolve;
  });
  const signalOf = (req: IncomingMessage, res: ServerResponse): AbortSignal => {
    const { signal } = gatewayCallContext(
      Object.assign(req, { id: 'request-1' }) as unknown as Request,
      res as unknown as Response,
    );
    if (!signal) throw new Error('a gateway call context without a signal');
    return signal;
  };
  // The client leaves once the server is reading its request: a timer could
  // fire before a busy machine had even connected, and no request would come.
  let leave: () => void = () => undefined;
  const server = createServer((req, res) => {
    if (timing === 'left') {
      res.once('close', () =>
        setImmediate(() => settle({ abortedWhenAsked: signalOf(req, res).aborted })),
      );
      leave();
      return;
    }
    const signal = signalOf(req, res);
    const abortedWhenAsked = signal.aborted;
    res.once('close', () => settle({ abortedWhenAsked, abortedOnceAnswered: signal.aborted }));
    res.end('answered');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = request({ port, host: '127.0.0.1', method: 'POST', path: '/' });
  client.on('error', () => undefined);
  client.on('response', (answer) => answer.resume());
  client.write('{"message":"hello"}');
  if (timing === 'left') leave = () => client.destroy();
  else client.end();
  try {
    return await outcome;
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('gatewayCallContext', () => {
  // Found in an exploratory test: chats abandoned while they were read were
  // still answered by the gateway and stored as sessions nobody was told of.
  it('is aborted at once for a client that left before the route asked for it', async () => {
    expect(await callContextWhenTheClient('left')).toEqual({ abortedWhenAsked: true });
  });

  it('is not aborted for a client that waits for its answer, nor once it is answered', async () => {
    expect(await callContextWhenTheClient('stays')).toEqual({
      abortedWhenAsked: false,
      abortedOnceAnswered: false,
    });
  });
});
