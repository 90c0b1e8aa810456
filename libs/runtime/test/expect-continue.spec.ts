import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { continueOnlyWithin, HTTP_ERRORS, problemFactory } from '../src';

const LARGEST = 1000;

/** Sends the head of a POST expecting 100-continue, then the body only if told to continue. */
function post(server: Server, length: number): Promise<string> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (received.startsWith('HTTP/1.1 100 Continue\r\n\r\n') && !socket.readableEnded) {
        if (received.length === 25) socket.write('x'.repeat(length));
      }
    });
    socket.on('end', () => resolve(received));
    socket.on('error', reject);
    socket.write(
      `POST /upload HTTP/1.1\r\nHost: x\r\nConnection: close\r\nExpect: 100-continue\r\nContent-Length: ${length}\r\n\r\n`,
    );
  });
}

describe('Expect: 100-continue', () => {
  let server: Server;
  let bodies: number[];

  beforeAll(async () => {
    bodies = [];
    server = createServer((req, res) => {
      let length = 0;
      req.on('data', (chunk: Buffer) => (length += chunk.length));
      req.on('end', () => {
        bodies.push(length);
        res.end('stored');
      });
    });
    continueOnlyWithin(server, LARGEST, problemFactory(HTTP_ERRORS), pino({ level: 'silent' }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('refuses a body declared past the largest the service reads before the client sends it', async () => {
    const answer = await post(server, LARGEST + 1);
    expect(answer).not.toContain('100 Continue');
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain('application/problem+json');
    expect(answer).toMatch(/\r\ncache-control: no-store\r\n/i);
    expect(answer).toContain('"code":"DT_ERR_BODY_TOO_LARGE"');
    expect(bodies).toEqual([]);
  });

  it('asks for a body within it, which reaches the routes', async () => {
    const answer = await post(server, LARGEST);
    expect(answer).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
    expect(answer.endsWith('stored')).toBe(true);
    expect(bodies).toEqual([LARGEST]);
  });
});
