import { onAFreePort } from '../src/free-port';
import { StopWaiting, waitUntil } from '../src/wait-until';

describe('onAFreePort', () => {
  it('starts again on another port when the one picked was taken meanwhile', async () => {
    const tried: number[] = [];
    const started = await onAFreePort(async (port) => {
      tried.push(port);
      if (tried.length === 1) throw new Error('listen EADDRINUSE: address already in use');
      return `up on ${port}`;
    });
    expect(tried).toHaveLength(2);
    expect(started).toBe(`up on ${tried[1]}`);
  });

  it('gives up after three ports, and at once on any other failure', async () => {
    let attempts = 0;
    await expect(
      onAFreePort(async () => {
        attempts += 1;
        throw new Error('Address already in use (os error 98)');
      }),
    ).rejects.toThrow('os error 98');
    expect(attempts).toBe(3);
    attempts = 0;
    await expect(
      onAFreePort(async () => {
        attempts += 1;
        throw new Error('exited during start-up: bad configuration');
      }),
    ).rejects.toThrow('bad configuration');
    expect(attempts).toBe(1);
  });
});

describe('waitUntil', () => {
  it('stops at once when the probe says waiting cannot help', async () => {
    const started = Date.now();
    await expect(
      waitUntil(
        'a process that exited',
        async () => {
          throw new StopWaiting('exited during start-up');
        },
        { timeoutMs: 10_000 },
      ),
    ).rejects.toThrow('exited during start-up');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
