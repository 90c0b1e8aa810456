import { ApiClient, expectProblem, uniqueEmail } from './support/api-client';
import { startFakeGateway, type FakeGateway } from './support/fake-gateway';
import { SERVICE_TOKEN, startBackend, type RunningBackend } from './support/start-backend';

describe('AI calls per user per minute', () => {
  let gateway: FakeGateway;
  let backend: RunningBackend;

  beforeAll(async () => {
    gateway = await startFakeGateway(SERVICE_TOKEN);
    backend = await startBackend({ gatewayUrl: gateway.url, aiCallsPerMinute: 3 });
  });
  afterAll(async () => {
    await backend.close();
    await gateway.stop();
  });

  it('answers 429 with Retry-After once a user has spent the minute, without calling the gateway', async () => {
    const user = await new ApiClient(backend.url).registerUser(uniqueEmail('ai-limit'));
    const other = await new ApiClient(backend.url).registerUser(uniqueEmail('ai-limit-other'));
    const text = 'Lighthouses guide ships. Keepers tend the lamps every night.';

    // Invalid requests and plain content search are not AI calls.
    expect((await user.post('/api/ai/summary', { text: '' })).status).toBe(400);
    expect((await user.get('/api/documents/search?q=lamps&mode=content')).status).toBe(200);

    const spent = [
      await user.post('/api/ai/summary', { text }),
      await user.post('/api/ask', { question: 'Who tends the lamps?' }),
      await user.get('/api/documents/search?q=lamps&mode=semantic'),
    ];
    expect(spent.map((answer) => answer.status)).toEqual([200, 200, 200]);

    const callsBefore = gateway.calls.length;
    const refused = await user.post('/api/ai/key-ideas', { text });
    expectProblem(refused, 429, 'DT_ERR_RATE_LIMITED');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expectProblem(await user.post('/api/ask', { question: 'Again?' }), 429, 'DT_ERR_RATE_LIMITED');
    expect(gateway.calls.length).toBe(callsBefore);

    // Another user's allowance is their own.
    expect((await other.post('/api/ai/summary', { text })).status).toBe(200);
  });

  it('counts uploads and renames, which index the document, and refuses them beyond the minute', async () => {
    const user = await new ApiClient(backend.url).registerUser(uniqueEmail('ai-limit-index'));
    const created = await user.post<{ id: string }>('/api/documents', {
      title: 'Lamps',
      text: 'Keepers tend the lamps every night.',
    });
    expect(created.status).toBe(201);
    expect((await user.patch(`/api/documents/${created.body.id}`, { title: 'Wicks' })).status).toBe(
      200,
    );
    expect((await user.get('/api/documents/search?q=wicks&mode=semantic')).status).toBe(200);

    const renamed = await user.patch(`/api/documents/${created.body.id}`, { title: 'Refused' });
    expectProblem(renamed, 429, 'DT_ERR_RATE_LIMITED');
    const uploaded = await user.post('/api/documents', { title: 'More', text: 'More lamps.' });
    expectProblem(uploaded, 429, 'DT_ERR_RATE_LIMITED');
    // Nothing of the refused requests was kept.
    const listed = await user.get<{ items: { title: string }[] }>('/api/documents');
    expect(listed.body.items.map((item) => item.title)).toEqual(['Wicks']);
  });

  // Found in an exploratory test: a client following the 409's Retry-After
  // spent its minute's calls waiting for an upload to be indexed.
  it('gives back the call of a chat or question refused because its document is not indexed yet', async () => {
    const user = await new ApiClient(backend.url).registerUser(uniqueEmail('ai-limit-pending'));
    gateway.refuseIndexing = true;
    try {
      const created = await user.post<{ id: string }>('/api/documents', {
        title: 'Pending',
        text: 'Keepers tend the lamps every night.',
      });
      expect(created.status).toBe(201); // the upload spent one of the three
      for (let attempt = 0; attempt < 4; attempt += 1) {
        const chat = await user.post(`/api/documents/${created.body.id}/chat`, {
          message: 'Lamps?',
        });
        expectProblem(chat, 409, 'DT_ERR_DOCUMENT_NOT_INDEXED');
        const ask = await user.post('/api/ask', {
          question: 'Lamps?',
          documentIds: [created.body.id],
        });
        expectProblem(ask, 409, 'DT_ERR_DOCUMENT_NOT_INDEXED');
      }
      // Two calls left of the minute: the refusals spent none.
      const text = 'Lighthouses guide ships.';
      expect((await user.post('/api/ai/summary', { text })).status).toBe(200);
      expect((await user.post('/api/ai/key-ideas', { text })).status).toBe(200);
      expectProblem(await user.post('/api/ai/topics', { text }), 429, 'DT_ERR_RATE_LIMITED');
    } finally {
      gateway.refuseIndexing = false;
    }
  });
});
