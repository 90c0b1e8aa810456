import {
  ApiClient,
  corpusFile,
  eventually,
  expectProblem,
  uniqueEmail,
} from './support/api-client';
import { startFakeGateway, type FakeGateway } from './support/fake-gateway';
import { SERVICE_TOKEN, startBackend, type RunningBackend } from './support/start-backend';

describe('indexing through the durable outbox', () => {
  let gateway: FakeGateway;
  let backend: RunningBackend;
  let user: ApiClient;

  const statusOf = async (id: string) =>
    (
      await user.get<{ indexStatus: string; summary: string; summaryDegraded: boolean }>(
        `/api/documents/${id}`,
      )
    ).body;

  beforeAll(async () => {
    gateway = await startFakeGateway(SERVICE_TOKEN);
    backend = await startBackend({ gatewayUrl: gateway.url });
    user = await new ApiClient(backend.url).registerUser(uniqueEmail('outbox'));
  });
  afterAll(async () => {
    await backend.close();
    await gateway.stop();
  });

  it('indexes a new upload and replaces its local summary with the AI summary', async () => {
    const created = await user.upload(corpusFile('bsd.docx'), 'bsd.docx');
    expect(created.body).toMatchObject({ indexStatus: 'pending', summaryDegraded: true });
    const id = String(created.body['id']);
    const indexed = await eventually(async () => {
      const document = await statusOf(id);
      return document.indexStatus === 'indexed' && !document.summaryDegraded ? document : undefined;
    });
    expect(indexed.summary).toMatch(/^Summary: /);
    expect(gateway.indexed.get(id)).toMatchObject({
      title: 'BSD License',
      text: expect.stringContaining('Redistribution'),
    });
    const listed = await user.get<{ items: { id: string; indexStatus: string }[] }>(
      '/api/documents',
    );
    expect(listed.body.items.find((item) => item.id === id)?.indexStatus).toBe('indexed');
  });

  it('accepts uploads while the gateway is down and indexes them once it is back', async () => {
    await gateway.stop();
    const ids: string[] = [];
    try {
      for (const name of ['apache-2.0.txt', 'mpl-2.0.txt', 'shared-mime-info-spec.pdf']) {
        const created = await user.upload(corpusFile(name), name);
        expect(created.status).toBe(201);
        expect(created.body).toMatchObject({ indexStatus: 'pending', summaryDegraded: true });
        ids.push(String(created.body['id']));
      }
      // Retries keep failing while it is down: nothing is lost, nothing indexed.
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (const id of ids) expect((await statusOf(id)).indexStatus).toBe('pending');
      expect((await backend.stores.outbox.pendingCounts()).index).toBe(3);
    } finally {
      await gateway.start();
    }
    for (const id of ids) {
      await eventually(async () =>
        (await statusOf(id)).indexStatus === 'indexed' ? true : undefined,
      );
      expect(gateway.indexed.has(id)).toBe(true);
    }
    // The worker marks the document indexed, then completes its job: a
    // loaded machine can read between the two writes.
    const drained = await eventually(async () => {
      const counts = await backend.stores.outbox.pendingCounts();
      return counts.index === 0 ? counts : undefined;
    });
    expect(drained).toEqual({ index: 0, delete: 0, purge: 0 });
  });

  it('keeps retrying, and answers 503, while the gateway refuses its service token', async () => {
    const rotating = await startBackend({
      gatewayUrl: gateway.url,
      serviceToken: 'a-token-the-gateway-does-not-know-yet-0123456789',
    });
    try {
      const owner = await new ApiClient(rotating.url).registerUser(uniqueEmail('rotating'));
      const created = await owner.upload(corpusFile('bsd.txt'), 'bsd.txt');
      expect(created.status).toBe(201);
      const id = String(created.body['id']);
      expectProblem(
        await owner.post(`/api/documents/${id}/ai/summary`),
        503,
        'DT_ERR_AI_UNAVAILABLE',
      );
      // Tried again and again (one AI call above was refused too), never given up on.
      const refusedBefore = gateway.unauthorised;
      await eventually(async () => (gateway.unauthorised >= refusedBefore + 3 ? true : undefined));
      const document = await owner.get<{ indexStatus: string }>(`/api/documents/${id}`);
      expect(document.body.indexStatus).toBe('pending');
      expect((await rotating.stores.outbox.pendingCounts()).index).toBe(1);
      // Found in an exploratory test: the log said only "HTTP 401", as for an outage.
      expect(rotating.logs()).toContain(
        "the gateway refuses this backend's service token: is DOCUTHINKER_SERVICE_TOKEN the same for both services?",
      );
    } finally {
      await rotating.close();
    }
  });

  it('removes deleted documents from the index and their files from the store', async () => {
    const kept = await user.post<{ id: string }>('/api/documents', {
      title: 'Kept',
      text: 'Stays indexed.',
    });
    const gone = await user.post<{ id: string }>('/api/documents', {
      title: 'Gone',
      text: 'Leaves the index.',
    });
    await eventually(async () =>
      gateway.indexed.has(gone.body.id) && gateway.indexed.has(kept.body.id) ? true : undefined,
    );
    const ownerId = String((await user.get('/api/me')).body['id']);
    const fileKey = (await backend.stores.documents.get(ownerId, gone.body.id))?.fileKey;
    expect(fileKey).toBeDefined();
    expect(await backend.stores.files.getBuffer(fileKey ?? '')).not.toBeNull();

    expect((await user.delete(`/api/documents/${gone.body.id}`)).status).toBe(204);
    await eventually(async () => (gateway.indexed.has(gone.body.id) ? undefined : true));
    expect(gateway.indexed.has(kept.body.id)).toBe(true);
    await eventually(async () =>
      (await backend.stores.files.getBuffer(fileKey ?? '')) === null ? true : undefined,
    );

    expect((await user.delete('/api/documents')).status).toBe(204);
    await eventually(async () =>
      [...gateway.indexed.values()].some((doc) => doc.documentId === kept.body.id)
        ? undefined
        : true,
    );
  });

  it('re-indexes a renamed document, so the index names it by its new title', async () => {
    const created = await user.post<{ id: string }>('/api/documents', {
      title: 'Before',
      text: 'A document about lighthouses.',
    });
    await eventually(async () =>
      (await statusOf(created.body.id)).indexStatus === 'indexed' ? true : undefined,
    );
    const renamed = await user.patch<{ title: string; indexStatus: string }>(
      `/api/documents/${created.body.id}`,
      { title: 'After' },
    );
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ title: 'After', indexStatus: 'pending' });
    await eventually(async () =>
      gateway.indexed.get(created.body.id)?.title === 'After' ? true : undefined,
    );
    await eventually(async () =>
      (await statusOf(created.body.id)).indexStatus === 'indexed' ? true : undefined,
    );
  });

  it('cleans the index up after an account is deleted', async () => {
    const leaving = await new ApiClient(backend.url).registerUser(uniqueEmail('leaving'));
    const created = await leaving.post<{ id: string }>('/api/documents', {
      title: 'Bye',
      text: 'Soon gone.',
    });
    await eventually(async () => (gateway.indexed.has(created.body.id) ? true : undefined));
    const leavingId = String((await leaving.get('/api/me')).body['id']);
    // Indexed at the gateway directly with the user's token: the backend never saw it.
    gateway.indexed.set('direct', {
      ownerId: leavingId,
      documentId: 'direct',
      title: 'Direct',
      text: 'Indexed at the gateway.',
    });
    gateway.indexed.set('someone-elses', {
      ownerId: 'someone-else',
      documentId: 'someone-elses',
      title: 'Kept',
      text: 'Not the leaving user.',
    });
    expect((await leaving.delete('/api/me')).status).toBe(204);
    await eventually(async () =>
      gateway.indexed.has(created.body.id) || gateway.indexed.has('direct') ? undefined : true,
    );
    expect(gateway.indexed.has('someone-elses')).toBe(true);
    expect(gateway.calls).toContain('DELETE /ai/v1/index');
    // The second purge waits until no late write can land (token lifetime and
    // more). The worker runs due jobs one at a time, oldest first: once a
    // document created after the erasure is indexed, the first purge is done,
    // and a worker that ran the second at once would have done it too.
    const later = await user.post<{ id: string }>('/api/documents', {
      title: 'Later',
      text: 'Created after the erasure.',
    });
    await eventually(async () =>
      (await statusOf(later.body.id)).indexStatus === 'indexed' ? true : undefined,
    );
    expect((await backend.stores.outbox.pendingCounts()).purge).toBe(1);
  });

  it('wakes the worker when an account is deleted, instead of waiting for its next poll', async () => {
    const slowPolling = await startBackend({
      gatewayUrl: gateway.url,
      outboxPollIntervalMs: 60_000,
    });
    try {
      const leaving = await new ApiClient(slowPolling.url).registerUser(uniqueEmail('wake'));
      const created = await leaving.post<{ id: string }>('/api/documents', {
        title: 'Wake',
        text: 'Indexed at once: creating a document wakes the worker too.',
      });
      await eventually(async () => (gateway.indexed.has(created.body.id) ? true : undefined));
      const purgesBefore = gateway.calls.filter((call) => call === 'DELETE /ai/v1/index').length;
      expect((await leaving.delete('/api/me')).status).toBe(204);
      await eventually(
        async () =>
          gateway.calls.filter((call) => call === 'DELETE /ai/v1/index').length > purgesBefore &&
          !gateway.indexed.has(created.body.id)
            ? true
            : undefined,
        { timeoutMs: 5_000 },
      );
    } finally {
      await slowPolling.close();
    }
  });
});
