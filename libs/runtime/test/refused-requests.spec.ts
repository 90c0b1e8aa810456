import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import pino from 'pino';
import { waitUntil } from '@docuthinker/testing';
import {
  continueOnlyWithin,
  HTTP_ERRORS,
  LEAVE_HOST_CHECK_TO_LISTENER,
  problemClientErrors,
  problemFactory,
  refuseConnectRequests,
  refuseUnmetExpectations,
  refusingRequestsWithoutHost,
} from '../src';

interface LogLine {
  msg: string;
  req?: { id?: string };
  res?: { statusCode?: number };
}

/** Writes `head` on a fresh connection and resolves with everything the server sent until it closed. */
function exchange(server: Server, head: string): Promise<string> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('end', () => resolve(received));
    socket.on('error', reject);
    socket.write(head);
  });
}

function headerOf(answer: string, name: string): string | undefined {
  const head = answer.slice(0, answer.indexOf('\r\n\r\n'));
  return new RegExp(`\\r\\n${name}: ([^\\r]*)`, 'i').exec(head)?.[1];
}

function bodyOf(answer: string): { status: number; code: string; requestId?: string } {
  return JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as {
    status: number;
    code: string;
    requestId?: string;
  };
}

// Found in an exploratory test: what Node's server answers before any route
// (no Host, an unmet Expect, a body declared too large, headers too large)
// carried no request id and no nosniff, unlike every answer of the routes;
// a CONNECT was dropped without an answer or a log line.
describe('answers given before any route', () => {
  let server: Server;
  const lines: LogLine[] = [];

  beforeAll(async () => {
    const logger = pino(
      { level: 'warn' },
      { write: (line: string) => lines.push(JSON.parse(line) as LogLine) },
    );
    const problem = problemFactory(HTTP_ERRORS);
    server = createServer(
      { ...LEAVE_HOST_CHECK_TO_LISTENER, maxHeaderSize: 1024 },
      refusingRequestsWithoutHost((_req, res) => res.end('routed'), problem, logger),
    );
    refuseUnmetExpectations(server, problem, logger);
    refuseConnectRequests(server, problem, logger);
    continueOnlyWithin(server, 100, problem, logger);
    server.on('clientError', problemClientErrors(problem, logger));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it.each([
    ['no Host header', 'GET / HTTP/1.1\r\nx-request-id: asked-1\r\n\r\n', 400, 'asked-1'],
    [
      'an Expect the service does not meet',
      'GET / HTTP/1.1\r\nHost: x\r\nExpect: later\r\nx-request-id: asked-2\r\n\r\n',
      417,
      'asked-2',
    ],
    [
      'a body declared past the largest',
      'POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 101\r\nx-request-id: asked-3\r\n\r\n',
      413,
      'asked-3',
    ],
    [
      'CONNECT, as to a proxy',
      'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nx-request-id: asked-4\r\n\r\n',
      405,
      'asked-4',
    ],
    [
      'headers past the limit',
      `GET / HTTP/1.1\r\nHost: x\r\nx-request-id: unread\r\nX-Big: ${'a'.repeat(2000)}\r\n\r\n`,
      431,
      undefined,
    ],
  ])(
    '%s: its request id in header, body and log line, and nosniff',
    async (_case, head, status, asked) => {
      const answer = await exchange(server, head);
      expect(answer).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      const requestId = headerOf(answer, 'x-request-id');
      // The client's own id where Node could read its headers; a fresh one where not.
      expect(requestId).toBe(asked ?? requestId);
      expect(requestId).toMatch(/^[\w-]{6,}$/);
      expect(requestId).not.toBe('unread');
      expect(headerOf(answer, 'x-content-type-options')).toBe('nosniff');
      expect(bodyOf(answer)).toEqual(expect.objectContaining({ status, requestId }));
      expect(headerOf(answer, 'cache-control')).toBe('no-store');
      // A 405 names what its target allows: a tunnel's target, nothing here.
      if (status === 405) expect(headerOf(answer, 'allow')).toBe('');
      expect(lines.filter((line) => line.req?.id === requestId)).toEqual([
        expect.objectContaining({ msg: 'request refused', res: { statusCode: status } }),
      ]);
    },
  );

  // Found in review: Node's HTTP sockets may stay half-open, and no server
  // timeout watches a socket a connect listener took.
  it('closes a refused connection whose client never closes its side', async () => {
    const { port } = server.address() as AddressInfo;
    const stubborn = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    try {
      await new Promise((resolve) => stubborn.once('connect', resolve));
      // Read, or its end would wait behind the unread answer.
      stubborn.resume();
      stubborn.write('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
      // The answer ends with the server's side of the connection...
      await new Promise((resolve) => stubborn.once('end', resolve));
      // ...and the connection itself goes within the linger, though the client's side stays open.
      await waitUntil(
        'the refused connection closed',
        async () => {
          const open = await new Promise<number>((resolve, reject) =>
            server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
          );
          return open === 0;
        },
        { timeoutMs: 10_000 },
      );
    } finally {
      stubborn.destroy();
    }
  });
});
