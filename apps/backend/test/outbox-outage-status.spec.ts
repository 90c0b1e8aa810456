import { GatewayUnavailableError } from '../src/gateway/gateway-errors';
import {
  createTestDocument,
  DOCUMENT_ID,
  gatewayWith,
  OWNER_ID,
  runOutboxWorkerUntil,
  useEmbeddedStores,
} from './support/outbox-fixture';

// Found in review: attempts an outage failed (most of them refused by the open
// circuit) made a document read `failed` within seconds of an outage, and for
// minutes after it ended, like a document the gateway refused for good.
describe('the index status of a document whose index job keeps failing', () => {
  const stores = useEmbeddedStores('dt-outbox-outage-');

  async function statusAfterAttempts(
    failure: () => Error,
    attemptsMade = 5,
  ): Promise<string | undefined> {
    await createTestDocument(stores());
    let attempts = 0;
    const gateway = gatewayWith({
      index: async () => {
        attempts += 1;
        throw failure();
      },
    });
    await runOutboxWorkerUntil(stores(), gateway, () => attempts >= attemptsMade, {
      pollIntervalMs: 5,
      retryBaseMs: 1,
      retryMaxMs: 5,
      attemptsBeforeFailed: 2,
    });
    return (await stores().documents.get(OWNER_ID, DOCUMENT_ID))?.indexStatus;
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
