import {
  ApiClient,
  eventually,
  expectProblem,
  uniqueEmail,
  type ApiAnswer,
} from './support/api-client';
import { startFakeGateway, type FakeGateway } from './support/fake-gateway';
import { SERVICE_TOKEN, startBackend, type RunningBackend } from './support/start-backend';

/**
 * Two users; everything Bob tries on Alice's ids answers exactly what an
 * unknown id answers, and leaves Alice's data untouched.
 */
describe('ownership isolation between two users on every route', () => {
  let gateway: FakeGateway;
  let backend: RunningBackend;
  let alice: ApiClient;
  let bob: ApiClient;
  let aliceDocument: string;
  let aliceSession: string;

  beforeAll(async () => {
    gateway = await startFakeGateway(SERVICE_TOKEN);
    backend = await startBackend({ gatewayUrl: gateway.url });
    const api = new ApiClient(backend.url);
    alice = await api.registerUser(uniqueEmail('alice'));
    bob = await api.registerUser(uniqueEmail('bob'));
    const created = await alice.post<{ id: string }>('/api/documents', {
      title: 'Alice private plans',
      text: 'Alice keeps her zebra migration plans here.',
    });
    aliceDocument = created.body.id;
    await eventually(async () => (gateway.indexed.has(aliceDocument) ? true : undefined));
    const chat = await alice.post<{ sessionId: string }>(`/api/documents/${aliceDocument}/chat`, {
      message: 'zebra?',
    });
    aliceSession = chat.body.sessionId;
  });
  afterAll(async () => {
    await backend.close();
    await gateway.stop();
  });

  const foreignRequests = (): [string, () => Promise<ApiAnswer>, string][] => [
    [
      'GET /api/documents/:id',
      () => bob.get(`/api/documents/${aliceDocument}`),
      'DT_ERR_DOCUMENT_NOT_FOUND',
    ],
    [
      'GET /api/documents/:id/file',
      () => bob.get(`/api/documents/${aliceDocument}/file`),
      'DT_ERR_DOCUMENT_NOT_FOUND',
    ],
    [
      'PATCH /api/documents/:id',
      () => bob.patch(`/api/documents/${aliceDocument}`, { title: 'Mine now' }),
      'DT_ERR_DOCUMENT_NOT_FOUND',
    ],
    [
      'DELETE /api/documents/:id',
      () => bob.delete(`/api/documents/${aliceDocument}`),
      'DT_ERR_DOCUMENT_NOT_FOUND',
    ],
    [
      'POST /api/documents/:id/ai/summary',
      () => bob.post(`/api/documents/${aliceDocument}/ai/summary`),
      'DT_ERR_DOCUMENT_NOT_FOUND',
    ],
    [
      'POST /api/documents/:id/ai/refine-summary',
      () => bob.post(`/api/documents/${aliceDocument}/ai/refine-summary`, { instructions: 'x' }),
      'DT_ERR_DOCUMENT_NOT_FOUND',
    ],
    [
      'POST /api/documents/:id/chat',
      () => bob.post(`/api/documents/${aliceDocument}/chat`, { message: 'hi' }),
      'DT_ERR_DOCUMENT_NOT_FOUND',
    ],
    [
      'GET /api/chat/sessions/:sessionId',
      () => bob.get(`/api/chat/sessions/${aliceSession}`),
      'DT_ERR_CHAT_SESSION_NOT_FOUND',
    ],
    [
      'POST /api/ask with her document id',
      () => bob.post('/api/ask', { question: 'zebra', documentIds: [aliceDocument] }),
      'DT_ERR_DOCUMENT_NOT_FOUND',
    ],
  ];

  it.each(foreignRequests().map(([name, , code], index) => [name, index, code] as const))(
    '%s on another user’s id is 404, the same as an unknown id',
    async (_name, index, code) => {
      const request = foreignRequests()[index]?.[1];
      if (!request) throw new Error(`no request number ${index}`);
      const answer = await request();
      expectProblem(answer, 404, code);
      const unknown = await bob.get(
        code === 'DT_ERR_CHAT_SESSION_NOT_FOUND'
          ? '/api/chat/sessions/00000000-0000-4000-8000-000000000000'
          : '/api/documents/00000000-0000-4000-8000-000000000000',
      );
      expect({ title: answer.body['title'], detail: answer.body['detail'] }).toEqual({
        title: unknown.body['title'],
        detail: unknown.body['detail'],
      });
    },
  );

  it('keeps a chat session id bound to its own document even for the owner', async () => {
    const bobs = await bob.post<{ id: string }>('/api/documents', {
      title: 'Bob',
      text: 'Bob notes.',
    });
    expectProblem(
      await bob.post(`/api/documents/${bobs.body.id}/chat`, {
        message: 'hi',
        sessionId: aliceSession,
      }),
      404,
      'DT_ERR_CHAT_SESSION_NOT_FOUND',
    );
  });

  it('never lists, searches, counts or answers from another user’s documents', async () => {
    expect(
      (await bob.get<{ items: { id: string }[] }>('/api/documents')).body.items.map(
        (item) => item.id,
      ),
    ).not.toContain(aliceDocument);
    for (const mode of ['title', 'content', 'semantic']) {
      const found = await bob.get<{ items: { id: string }[] }>(
        `/api/documents/search?q=zebra&mode=${mode}`,
      );
      expect(found.status).toBe(200);
      expect(found.body.items).toEqual([]);
    }
    const asked = await bob.post<{ citations: unknown[] }>('/api/ask', {
      question: 'zebra migration plans',
    });
    expect(asked.body.citations).toEqual([]);
    expect((await bob.get<{ documentCount: number }>('/api/me')).body.documentCount).toBe(1);
  });

  it('does not let deleting everything or the account reach another user', async () => {
    const callsBefore = gateway.calls.length;
    expect((await bob.delete('/api/documents')).status).toBe(204);
    expect((await bob.delete('/api/me')).status).toBe(204);
    const still = await alice.get<{ title: string }>(`/api/documents/${aliceDocument}`);
    expect(still.status).toBe(200);
    expect(still.body.title).toBe('Alice private plans');
    expect((await alice.get(`/api/chat/sessions/${aliceSession}`)).status).toBe(200);
    // Once Bob's erasure has reached the gateway (his account's purge), Alice's index is intact.
    await eventually(async () =>
      gateway.calls.slice(callsBefore).includes('DELETE /ai/v1/index') ? true : undefined,
    );
    expect(gateway.indexed.has(aliceDocument)).toBe(true);
  });

  it('ignores an ownerId smuggled into bodies', async () => {
    const aliceId = String((await alice.get('/api/me')).body['id']);
    const mallory = await new ApiClient(backend.url).registerUser(uniqueEmail('mallory'));
    expectProblem(
      await mallory.post('/api/documents', { title: 'x', text: 'y', ownerId: aliceId }),
      400,
      'DT_ERR_VALIDATION',
    );
    expectProblem(
      await mallory.post('/api/ask', { question: 'zebra', ownerId: aliceId }),
      400,
      'DT_ERR_VALIDATION',
    );
  });
});
