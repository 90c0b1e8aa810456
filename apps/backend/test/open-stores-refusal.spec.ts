import { Writable } from 'node:stream';
import { ConfigError } from '@docuthinker/config';
import { createServiceLogger } from '@docuthinker/runtime';
import type { Stores } from '@docuthinker/stores';
import { openStores } from '../src/open-stores';

/** What the MongoDB driver throws for a connection string it cannot read. */
class MongoParseError extends Error {
  override get name() {
    return 'MongoParseError';
  }
}

function recordingLogger() {
  const lines: string[] = [];
  const logger = createServiceLogger({
    service: 'backend',
    level: 'info',
    secretValues: [],
    destination: new Writable({
      write: (chunk, _encoding, done) => {
        lines.push(chunk.toString());
        done();
      },
    }),
  });
  return { logger, lines };
}

describe('opening the stores with a connection string the driver refuses', () => {
  // Found in an exploratory test: `?bogusOption=1` (and an SRV record's bad
  // options, which only connecting reads) was retried for ever, /ready 503.
  it('fails at once with one problem naming MONGODB_URI, instead of retrying', async () => {
    const { logger, lines } = recordingLogger();
    let attempts = 0;
    let firstFailures = 0;
    const opening = openStores(
      async () => {
        attempts += 1;
        throw new MongoParseError('option bogusoption is not supported');
      },
      {
        logger,
        signal: new AbortController().signal,
        retryMs: 10,
        serveMeanwhile: async () => {
          firstFailures += 1;
        },
      },
    );
    await expect(opening).rejects.toBeInstanceOf(ConfigError);
    await expect(opening).rejects.toThrow(
      'Invalid configuration for backend (1 problem):\n' +
        '  - MONGODB_URI: is refused by the MongoDB driver: option bogusoption is not supported; expected a mongodb:// or mongodb+srv:// URL',
    );
    expect({ attempts, firstFailures, logged: lines.length }).toEqual({
      attempts: 1,
      firstFailures: 0,
      logged: 0,
    });
  });

  it('masks a connection string the driver quotes', async () => {
    const { logger } = recordingLogger();
    const opening = openStores(
      () =>
        Promise.reject(
          new MongoParseError('Invalid connection string "mongodb://app:S3cret@db:27017/x"'),
        ),
      { logger, signal: new AbortController().signal },
    );
    await expect(opening).rejects.toThrow(
      '  - MONGODB_URI: is refused by the MongoDB driver: Invalid connection string "[REDACTED]',
    );
    await expect(opening).rejects.toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('S3cret') }),
    );
  });

  it('still retries an outage', async () => {
    const { logger } = recordingLogger();
    const opened = { close: async () => undefined } as unknown as Stores;
    let attempts = 0;
    const stores = await openStores(
      async () => {
        attempts += 1;
        if (attempts < 2) {
          throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:27017'), {
            name: 'MongoServerSelectionError',
          });
        }
        return opened;
      },
      { logger, signal: new AbortController().signal, retryMs: 10 },
    );
    expect(stores).toBe(opened);
    expect(attempts).toBe(2);
  });
});
