import { GatewayRejectedError, GatewayUnavailableError } from '../src/gateway/gateway-errors';
import {
  createTestDocument,
  DOCUMENT_ID,
  gatewayWith,
  OWNER_ID,
  runOutboxWorkerUntil,
  useEmbeddedStores,
} from './support/outbox-fixture';

// Found in review: once indexed, an upload's extractive summary was replaced
// by the gateway's offline engine's, extractive too and no better (a PDF's
// lead paragraph became an XML sample), and marked as not degraded.
describe('the summary an index job brings', () => {
  const stores = useEmbeddedStores('dt-outbox-summary-');

  async function summaryAfterIndexing(provider: string) {
    await createTestDocument(stores(), {
      summary: 'Quokkas live on Rottnest Island.',
      summaryDegraded: true,
    });
    const gateway = gatewayWith({
      index: async () => undefined,
      runTask: async () => ({
        task: 'summary',
        output: `A summary by ${provider}.`,
        provider,
        model: 'some-model',
        degraded: false,
      }),
    });
    await runOutboxWorkerUntil(
      stores(),
      gateway,
      async () => (await stores().outbox.pendingCounts()).index === 0,
      { pollIntervalMs: 5 },
    );
    const document = await stores().documents.get(OWNER_ID, DOCUMENT_ID);
    return { summary: document?.summary, summaryDegraded: document?.summaryDegraded };
  }

  it("takes a provider's summary", async () => {
    expect(await summaryAfterIndexing('openai')).toEqual({
      summary: 'A summary by openai.',
      summaryDegraded: false,
    });
  });

  it("keeps the upload's own when the gateway's offline engine answered", async () => {
    expect(await summaryAfterIndexing('local')).toEqual({
      summary: 'Quokkas live on Rottnest Island.',
      summaryDegraded: true,
    });
  });

  it('asks a gateway without a remote provider once, not at every document it indexes', async () => {
    for (const id of ['doc-1', 'doc-2', 'doc-3']) {
      await createTestDocument(stores(), { id, summary: 'Quokkas.', summaryDegraded: true });
    }
    const summaryRequests: unknown[] = [];
    const gateway = gatewayWith({
      index: async () => undefined,
      runTask: async (_task, request) => {
        summaryRequests.push(request);
        // The gateway's answer to `offline: false` with only its offline engine.
        throw new GatewayRejectedError(
          501,
          'summary: no configured remote provider offers it',
          'DT_ERR_TASK_UNSUPPORTED',
        );
      },
    });
    await runOutboxWorkerUntil(
      stores(),
      gateway,
      async () => (await stores().outbox.pendingCounts()).index === 0,
      { pollIntervalMs: 5 },
    );
    expect(summaryRequests).toEqual([expect.objectContaining({ offline: false })]);
    for (const id of ['doc-1', 'doc-2', 'doc-3']) {
      const document = await stores().documents.get(OWNER_ID, id);
      expect(document).toMatchObject({ indexStatus: 'indexed', summaryDegraded: true });
    }
  });

  // Found in review: with a provider that hangs, every index job waited up
  // to the gateway's 45 s deadline for the summary, and other users' deletes
  // and purges waited behind them.
  it('stops asking for a while once the gateway could not get a summary', async () => {
    for (const id of ['doc-1', 'doc-2', 'doc-3']) {
      await createTestDocument(stores(), { id, summary: 'Quokkas.', summaryDegraded: true });
    }
    let summaryRequests = 0;
    const gateway = gatewayWith({
      index: async () => undefined,
      runTask: async () => {
        summaryRequests += 1;
        // The gateway's answer when its providers did not answer in time.
        throw new GatewayUnavailableError('providers unavailable', 5);
      },
    });
    await runOutboxWorkerUntil(
      stores(),
      gateway,
      async () => (await stores().outbox.pendingCounts()).index === 0,
      { pollIntervalMs: 5 },
    );
    expect(summaryRequests).toBe(1);
    for (const id of ['doc-1', 'doc-2', 'doc-3']) {
      const document = await stores().documents.get(OWNER_ID, id);
      expect(document).toMatchObject({ indexStatus: 'indexed', summaryDegraded: true });
    }
  });
});
