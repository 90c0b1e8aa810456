import { setTimeout as sleep } from 'node:timers/promises';
import type { Stores } from '@docuthinker/stores';
import { GatewayUnavailableError } from '../src/gateway/gateway-errors';
import { startOutboxWorker } from '../src/outbox/outbox-worker';
import { DocumentCache } from '../src/services/document-cache';
import {
  createTestDocument,
  DOCUMENT_ID,
  gatewayWith,
  OWNER_ID,
  silentLogger,
  useEmbeddedStores,
} from './support/outbox-fixture';

// Found in review: attempts an outage failed (most of them refused by the open
// circuit) made a document read `failed` within seconds of an outage, and for
// minutes after it ended, like a document the gateway refused for good.
describe('the index status of a document whose index job keeps failing', () => {
  const embeddedStores = useEmbeddedStores('dt-outbox-outage-');
  let stores: Stores;
  beforeEach(() => {
    stores = embeddedStores();
  });

  async function statusAfterAttempts(
    failure: () => Error,
    attemptsMade = 5,
  ): Promise<string | undefined> {
    await createTestDocument(stores);
    let attempts = 0;
    const gateway = gatewayWith({
      index: async () => {
        attempts += 1;
        throw failure();
      },
    });
    const worker = startOutboxWorker(
      stores,
      gateway,
      new DocumentCache(stores.cache),
      silentLogger,
      {
        pollIntervalMs: 5,
        retryBaseMs: 1,
        retryMaxMs: 5,
        attemptsBeforeFailed: 2,
      },
    );
    try {
      while (attempts < attemptsMade) await sleep(5);
    } finally {
      await worker.stop();
    }
    return (await stores.documents.get(OWNER_ID, DOCUMENT_ID))?.indexStatus;
  }

  it('stays pending through an outage four times as long as its attempts allow', async () => {
    expect(
      await statusAfterAttempts(
        () => new GatewayUnavailableError('circuit open after repeated failures', 1),
      ),
    ).toBe('pending');
  });

  it('reads failed once the gateway has been unavailable for it that long (a document that breaks it)', async () => {
    expect(await statusAfterAttempts(() => new GatewayUnavailableError('HTTP 500', 1), 10)).toBe(
      'failed',
    );
  });

  it('reads failed after its attempts when something else fails', async () => {
    expect(await statusAfterAttempts(() => new Error('the store refused the write'))).toBe(
      'failed',
    );
  });
});
