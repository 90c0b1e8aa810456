import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Request, Response } from 'express';
import { watchBodyRate, type BodyRateFloor } from '../src/middleware/slow-body-cutoff';

const FLOOR: BodyRateFloor = {
  minBytesPerSecond: 25_000,
  graceMs: 200,
  checkEveryMs: 50,
  arriveWithinMs: 30_000,
  cutOffCooldownMs: 0,
};
const BODY_BYTES = 400 * 1024;

/**
 * Sends a body of BODY_BYTES from another process, 4 KB every 20 ms (about
 * 200 KB/s, eight times the floor), so it keeps coming while this process
 * is stalled; resolves with the answer's status line.
 */
function sendSteadilyFromAnotherProcess(port: number): Promise<string> {
  const sender = `
    const socket = require('node:net').connect(${port}, '127.0.0.1', () => {
      socket.write('POST / HTTP/1.1\\r\\nHost: test\\r\\nConnection: close\\r\\nContent-Length: ${BODY_BYTES}\\r\\n\\r\\n');
      let sent = 0;
      const timer = setInterval(() => {
        if (sent >= ${BODY_BYTES}) return clearInterval(timer);
        socket.write(Buffer.alloc(Math.min(4096, ${BODY_BYTES} - sent), 'b'));
        sent += 4096;
      }, 20);
      socket.on('close', () => clearInterval(timer));
    });
    let answer = '';
    socket.on('data', (chunk) => { answer += chunk; });
    socket.on('error', () => undefined);
    socket.on('close', () => process.stdout.write(answer.split('\\r\\n')[0]));
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', sender], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(out));
  });
}

function stallThisProcess(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // Busy: nothing else of this process runs, as in a long parse or GC pause.
  }
}

// Found in review: after a stall of the server's own loop, the look at the
// body's pace ran (timers come first in Node's loop) before the bytes that
// arrived meanwhile were read, so a client keeping a good pace was cut off
// with 408 for the server's own pause.
describe('the body-rate floor after the server itself stalled', () => {
  let server: Server;
  let cutOff: boolean;

  beforeAll(async () => {
    server = createServer((req, res) => {
      watchBodyRate(
        req as Request,
        res as unknown as Response,
        FLOOR,
        FLOOR.minBytesPerSecond,
        () => {
          cutOff = true;
          res.writeHead(408, { Connection: 'close' }).end();
        },
      );
      const startedAt = Date.now();
      let stalled = false;
      req.on('data', () => {
        // Stalled once, past the grace period, while handling the body's
        // bytes: where a request's own work runs.
        if (stalled || Date.now() - startedAt < FLOOR.graceMs + 100) return;
        stalled = true;
        stallThisProcess(3000);
      });
      req.on('end', () => res.writeHead(201).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('reads what arrived during the stall before it judges the pace', async () => {
    cutOff = false;
    const statusLine = await sendSteadilyFromAnotherProcess((server.address() as AddressInfo).port);
    expect(cutOff).toBe(false);
    expect(statusLine).toBe('HTTP/1.1 201 Created');
  }, 20000);
});
