import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { waitUntil } from '../src';

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('service harness without a clean stop', () => {
  it('stops the services of a test process that is killed with SIGKILL', async () => {
    // A separate node process starts Redis through the harness, reports the
    // port, and is then killed outright: no afterAll, no exit handler runs.
    const script = `
      require('@swc-node/register');
      const { startRedis } = require(${JSON.stringify(join(__dirname, '../src/services.ts'))});
      startRedis().then((redis) => process.stdout.write(String(redis.port) + '\\n'));
      setInterval(() => undefined, 1000);
    `;
    const child = spawn(process.execPath, ['-e', script], {
      cwd: join(__dirname, '../../..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
      child.once('exit', () => reject(new Error('harness process exited early')));
    });
    expect(await portAccepts(port)).toBe(true);
    child.kill('SIGKILL');
    await waitUntil('redis to be stopped', async () => !(await portAccepts(port)), {
      timeoutMs: 8000,
    });
  });
});
