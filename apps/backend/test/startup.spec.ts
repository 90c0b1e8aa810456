import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createServiceLogger } from '@docuthinker/runtime';
import type { Stores } from '@docuthinker/stores';
import { openStores } from '../src/open-stores';
import { createStartingApp } from '../src/starting-app';
import { expectProblem, type ApiAnswer } from './support/api-client';

const silentLogger = () =>
  createServiceLogger({
    service: 'backend',
    level: 'silent',
    secretValues: [],
    destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
  });

describe('start-up while the stores are not there yet', () => {
  it('keeps retrying to open the stores and starts serving after the first failure', async () => {
    const opened = { close: async () => undefined } as unknown as Stores;
    let attempts = 0;
    let firstFailures = 0;
    const stores = await openStores(
      async () => {
        attempts += 1;
        if (attempts < 3) throw new Error('connect ECONNREFUSED 127.0.0.1:27017');
        return opened;
      },
      {
        logger: silentLogger(),
        signal: new AbortController().signal,
        retryMs: 20,
        serveMeanwhile: async () => {
          firstFailures += 1;
        },
      },
    );
    expect(stores).toBe(opened);
    expect(attempts).toBe(3);
    expect(firstFailures).toBe(1);
  });

  // Found in review: an unreachable MongoDB fails only after the driver's
  // 5 s server selection, and nothing listened until then.
  it('starts serving meanwhile when the first attempt is slow, not only once it fails', async () => {
    const opened = { close: async () => undefined } as unknown as Stores;
    const events: string[] = [];
    const stores = await openStores(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        events.push('opened');
        return opened;
      },
      {
        logger: silentLogger(),
        signal: new AbortController().signal,
        slowOpenMs: 20,
        serveMeanwhile: async () => {
          events.push('serving');
        },
      },
    );
    expect(stores).toBe(opened);
    expect(events).toEqual(['serving', 'opened']);
  });

  it('does not serve meanwhile when the stores open within the wait', async () => {
    const opened = { close: async () => undefined } as unknown as Stores;
    let serving = 0;
    await openStores(async () => opened, {
      logger: silentLogger(),
      signal: new AbortController().signal,
      slowOpenMs: 200,
      serveMeanwhile: async () => {
        serving += 1;
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(serving).toBe(0);
  });

  it('fails when serving meanwhile fails (the port is taken), without an unhandled rejection', async () => {
    const opened = { close: async () => undefined } as unknown as Stores;
    const pending = openStores(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        return opened;
      },
      {
        logger: silentLogger(),
        signal: new AbortController().signal,
        slowOpenMs: 10,
        serveMeanwhile: () => Promise.reject(new Error('listen EADDRINUSE')),
      },
    );
    await expect(pending).rejects.toThrow('listen EADDRINUSE');
  });

  it('gives up when shut down while retrying', async () => {
    const shutdown = new AbortController();
    const pending = openStores(() => Promise.reject(new Error('down')), {
      logger: silentLogger(),
      signal: shutdown.signal,
      retryMs: 10_000,
    });
    setTimeout(() => shutdown.abort(), 50);
    await expect(pending).resolves.toBeUndefined();
  });

  it('answers /health, a 503 /ready and 503 problem+json with Retry-After meanwhile', async () => {
    const server = createServer(createStartingApp(silentLogger()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await fetch(`${url}/health`)).status).toBe(200);
      const ready = await fetch(`${url}/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({
        status: 'unavailable',
        dependencies: { stores: { status: 'down', detail: 'connecting' } },
      });
      const response = await fetch(`${url}/api/documents`);
      const answer: ApiAnswer = {
        status: response.status,
        headers: response.headers,
        text: await response.clone().text(),
        body: (await response.json()) as Record<string, unknown>,
      };
      expectProblem(answer, 503, 'DT_ERR_STARTING');
      expect(answer.headers.get('retry-after')).toBe('5');
      // Found in review: these answers had none of the service's headers.
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
