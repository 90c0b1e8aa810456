import {
  createTestDocument,
  gatewayWith,
  runOutboxWorkerUntil,
  useEmbeddedStores,
} from './support/outbox-fixture';

// Found by a concurrency review: a document renamed while its index job ran
// read `indexed` as soon as that job finished, although the gateway still
// had the old title until the rename's own job ran (minutes, during an outage).
describe('the index status of a document renamed while it is indexed', () => {
  const stores = useEmbeddedStores('dt-outbox-status-');

  it('stays pending until the job of the new title has run', async () => {
    const ownerId = 'owner-1';
    await createTestDocument(stores(), { title: 'First title' });
    const indexed: string[] = [];
    const statusesAfterEachIndex: string[] = [];
    const gateway = gatewayWith({
      index: async (request) => {
        indexed.push(request.title);
        // The user renames the document while its first index call runs.
        if (indexed.length === 1) {
          await stores().documents.update(ownerId, 'doc-1', { title: 'Second title' });
        }
      },
    });
    const originalComplete = stores().outbox.complete.bind(stores().outbox);
    stores().outbox.complete = async (job) => {
      const completed = await originalComplete(job);
      statusesAfterEachIndex.push(
        (await stores().documents.get(ownerId, 'doc-1'))?.indexStatus ?? '',
      );
      return completed;
    };
    await runOutboxWorkerUntil(
      stores(),
      gateway,
      async () => (await stores().outbox.pendingCounts()).index === 0,
      { pollIntervalMs: 20 },
    );
    expect(indexed).toEqual(['First title', 'Second title']);
    // After the first job: the gateway has the old title, the document is not `indexed`.
    expect(statusesAfterEachIndex).toEqual(['pending', 'indexed']);
  });
});
