import { startChroma, startMoto, startRedis, type RunningService } from '../src';
import { createConnection } from 'node:net';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

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

describe.each([
  ['moto', startMoto],
  ['redis', () => startRedis()],
  ['chroma', () => startChroma()],
] as const)('%s through the service harness', (_name, start) => {
  let service: RunningService;

  beforeAll(async () => {
    service = await start();
  }, 90_000);

  afterAll(async () => {
    await service?.stop();
  });

  it('listens on a loopback port and is torn down completely by stop()', async () => {
    expect(service.host).toBe('127.0.0.1');
    expect(await portAccepts(service.port)).toBe(true);
    await service.stop();
    expect(isAlive(service.pid)).toBe(false);
    expect(await portAccepts(service.port)).toBe(false);
  });
});
