import {
  ApiClient,
  corpusFile,
  eventually,
  expectProblem,
  uniqueEmail,
} from './support/api-client';
import { documentAiResultsPrefix } from '../src/services/owner-cache-keys';
import { ANSWER_PROVENANCE, startFakeGateway, type FakeGateway } from './support/fake-gateway';
import { eventsOf } from './support/server-sent-events';
import { SERVICE_TOKEN, startBackend, type RunningBackend } from './support/start-backend';

interface TaskResult {
  result: unknown;
  provider: string;
  model: string;
  cached: boolean;
  degraded: boolean;
}

describe('AI tasks, chat and questions over HTTP', () => {
  let gateway: FakeGateway;
  let backend: RunningBackend;
  let user: ApiClient;
  let documentId: string;

  beforeAll(async () => {
    gateway = await startFakeGateway(SERVICE_TOKEN);
    backend = await startBackend({ gatewayUrl: gateway.url });
    user = await new ApiClient(backend.url).registerUser(uniqueEmail('ai'));
    const created = await user.upload(corpusFile('bsd.txt'), 'bsd.txt');
    documentId = String(created.body['id']);
    await indexedAtTheGateway(documentId);
  });
  afterAll(async () => {
    await backend.close();
    await gateway.stop();
  });

  /** Chat about a document its outbox job has not indexed yet is a 409 (see below). */
  const indexedAtTheGateway = (id: string) =>
    eventually(async () => (gateway.indexed.has(id) ? true : undefined));

  it.each(['summary', 'key-ideas', 'discussion-points', 'bullet-summary', 'recommendations'])(
    'runs %s on a stored document, then answers it from the cache',
    async (task) => {
      const first = await user.post<TaskResult>(`/api/documents/${documentId}/ai/${task}`);
      expect(first.status).toBe(200);
      expect(first.body).toEqual({
        result: expect.anything(),
        provider: 'fake',
        model: 'fake-1',
        cached: false,
        degraded: false,
      });
      const callsBefore = gateway.calls.length;
      const second = await user.post<TaskResult>(`/api/documents/${documentId}/ai/${task}`);
      expect(second.body).toEqual({ ...first.body, cached: true });
      expect(gateway.calls.length).toBe(callsBefore);
    },
  );

  it("keys the cache on the title and the owner: nobody gets another prompt's or another user's answer", async () => {
    const text = 'The merger closes in March. Both boards approved it.';
    const first = await user.post<TaskResult>('/api/ai/key-ideas', { text, title: 'Acme merger' });
    expect(first.body.cached).toBe(false);
    // The same text under another title is another prompt.
    const retitled = await user.post<TaskResult>('/api/ai/key-ideas', { text, title: 'Notes' });
    expect(retitled.body.cached).toBe(false);
    // The same prompt from another user is that user's own.
    const other = await new ApiClient(backend.url).registerUser(uniqueEmail('ai-other'));
    const callsBefore = gateway.calls.length;
    const theirs = await other.post<TaskResult>('/api/ai/key-ideas', {
      text,
      title: 'Acme merger',
    });
    expect(theirs.body.cached).toBe(false);
    expect(gateway.calls.length).toBe(callsBefore + 1);
    const again = await user.post<TaskResult>('/api/ai/key-ideas', { text, title: 'Acme merger' });
    expect(again.body).toEqual({ ...first.body, cached: true });
  });

  it('returns sentiment as {score, label, description}', async () => {
    const answer = await user.post<TaskResult>(`/api/documents/${documentId}/ai/sentiment`);
    expect(answer.body.result).toEqual({
      score: expect.any(Number),
      label: expect.any(String),
      description: expect.any(String),
    });
    const score = (answer.body.result as { score: number }).score;
    expect(score).toBeGreaterThanOrEqual(-1);
    expect(score).toBeLessThanOrEqual(1);
  });

  it('passes options, keys the cache on them and requires the ones a task needs', async () => {
    const french = await user.post<TaskResult>(
      `/api/documents/${documentId}/ai/summary-in-language`,
      { language: 'French' },
    );
    const german = await user.post<TaskResult>(
      `/api/documents/${documentId}/ai/summary-in-language`,
      { language: 'German' },
    );
    expect(french.body.result).toMatchObject({
      language: 'French',
      text: expect.stringMatching(/^\[French\]/),
    });
    expect(german.body).toMatchObject({ cached: false });
    expect(german.body.result).toMatchObject({
      language: 'German',
      text: expect.stringMatching(/^\[German\]/),
    });
    expect(
      (await user.post(`/api/documents/${documentId}/ai/rewrite`, { style: 'formal' })).body[
        'result'
      ],
    ).toMatchObject({ style: 'formal', text: expect.stringMatching(/^\[formal\]/) });
    const refined = await user.post<TaskResult>(`/api/documents/${documentId}/ai/refine-summary`, {
      instructions: 'shorter',
    });
    expect(refined.body.result).toMatch(/refined: shorter/);

    expectProblem(
      await user.post(`/api/documents/${documentId}/ai/summary-in-language`, {}),
      400,
      'DT_ERR_VALIDATION',
    );
    expectProblem(
      await user.post(`/api/documents/${documentId}/ai/rewrite`, { style: 3 }),
      400,
      'DT_ERR_VALIDATION',
    );
    // An option the task does not read is refused, not ignored (found by an exploratory test).
    const ignored = await user.post(`/api/documents/${documentId}/ai/sentiment`, { maxItems: 3 });
    expectProblem(ignored, 400, 'DT_ERR_VALIDATION');
    expect(ignored.body['errors']).toEqual([
      { path: 'maxItems', message: 'does not apply to sentiment' },
    ]);
    const adHoc = await user.post('/api/ai/summary', { text: 'Quokkas smile.', language: 'fr' });
    expectProblem(adHoc, 400, 'DT_ERR_VALIDATION');
    expect(adHoc.body['errors']).toEqual([
      { path: 'language', message: 'does not apply to summary' },
    ]);
    expectProblem(
      await user.post(`/api/documents/${documentId}/ai/telepathy`),
      400,
      'DT_ERR_VALIDATION',
    );
    expectProblem(
      await user.post('/api/documents/no-such-id/ai/summary'),
      404,
      'DT_ERR_DOCUMENT_NOT_FOUND',
    );
  });

  it('runs the same tasks on ad-hoc text', async () => {
    const answer = await user.post<TaskResult>('/api/ai/key-ideas', {
      text: 'Cats sleep a lot. Dogs bark.',
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ provider: 'fake', cached: false });
    expect(
      (await user.post<TaskResult>('/api/ai/key-ideas', { text: 'Cats sleep a lot. Dogs bark.' }))
        .body.cached,
    ).toBe(true);
    expect(
      (await user.post<TaskResult>('/api/ai/rewrite', { text: 'hello', style: 'pirate' })).body
        .result,
    ).toMatchObject({ style: 'pirate', text: expect.stringMatching(/pirate/) });
    expectProblem(await user.post('/api/ai/summary', {}), 400, 'DT_ERR_VALIDATION');
    expectProblem(await user.post('/api/ai/summary', { text: '' }), 400, 'DT_ERR_VALIDATION');
  });

  it('does not cache degraded answers', async () => {
    gateway.degraded = true;
    try {
      const first = await user.post<TaskResult>('/api/ai/summary', { text: 'Degraded once.' });
      expect(first.body).toMatchObject({ degraded: true, cached: false, provider: 'local' });
      gateway.degraded = false;
      const second = await user.post<TaskResult>('/api/ai/summary', { text: 'Degraded once.' });
      expect(second.body).toMatchObject({ degraded: false, cached: false, provider: 'fake' });
    } finally {
      gateway.degraded = false;
    }
  });

  it('chats about a document, persisting the session for its owner', async () => {
    const first = await user.post<{ reply: string; sessionId: string; citations: unknown[] }>(
      `/api/documents/${documentId}/chat`,
      { message: 'What about redistribution?' },
    );
    expect(first.status).toBe(200);
    expect(first.body.reply).toContain('What about redistribution?');
    expect(first.body.citations[0]).toEqual({
      documentId,
      chunkId: expect.any(String),
      snippet: expect.any(String),
    });
    // Which provider answered, and whether it was the offline fallback, as the gateway said.
    expect(first.body).toMatchObject(ANSWER_PROVENANCE);

    const second = await user.post<{ reply: string; sessionId: string }>(
      `/api/documents/${documentId}/chat`,
      {
        message: 'And warranties?',
        sessionId: first.body.sessionId,
      },
    );
    expect(second.body.sessionId).toBe(first.body.sessionId);
    expect(second.body.reply).toContain('(3 messages so far)');

    const session = await user.get<{
      documentId: string;
      messages: { role: string; content: string; createdAt: string }[];
    }>(`/api/chat/sessions/${first.body.sessionId}`);
    expect(session.body.documentId).toBe(documentId);
    expect(session.body.messages.map((message) => message.role)).toEqual([
      'user',
      'assistant',
      'user',
      'assistant',
    ]);
    expect(session.body.messages[0]).toEqual({
      role: 'user',
      content: 'What about redistribution?',
      createdAt: expect.any(String),
    });

    expectProblem(
      await user.get('/api/chat/sessions/unknown'),
      404,
      'DT_ERR_CHAT_SESSION_NOT_FOUND',
    );
    expectProblem(
      await user.post(`/api/documents/${documentId}/chat`, { message: 'hi', sessionId: 'unknown' }),
      404,
      'DT_ERR_CHAT_SESSION_NOT_FOUND',
    );
    expectProblem(
      await user.post(`/api/documents/${documentId}/chat`, {}),
      400,
      'DT_ERR_VALIDATION',
    );
  });

  it('keeps what follows a NUL character in a chat message', async () => {
    const sent = await user.post<{ sessionId: string }>(`/api/documents/${documentId}/chat`, {
      message: 'hello\u0000 and the rest',
    });
    expect(sent.status).toBe(200);
    const session = await user.get<{ messages: { role: string; content: string }[] }>(
      `/api/chat/sessions/${sent.body.sessionId}`,
    );
    expect(session.body.messages[0]).toMatchObject({
      role: 'user',
      content: 'hello\uFFFD and the rest',
    });
  });

  // Stored before the contract refused such text, it would make every later turn a 400.
  it('leaves out of the history a stored message that shows nothing', async () => {
    const email = uniqueEmail('chat-invisible');
    const owner = await new ApiClient(backend.url).registerUser(email);
    const ownerId = (await backend.stores.users.findByEmail(email))?.id ?? '';
    const created = await owner.post<{ id: string }>('/api/documents', {
      title: 'Notes',
      text: 'Quokkas live on Rottnest Island.',
    });
    await indexedAtTheGateway(created.body.id);
    const chat = `/api/documents/${created.body.id}/chat`;
    const first = await owner.post<{ sessionId: string }>(chat, { message: 'Where?' });
    expect(first.status).toBe(200);
    await backend.stores.chatSessions.append(
      { ownerId, documentId: created.body.id },
      first.body.sessionId,
      [{ role: 'user', content: '\u200b\u200b\u2060' }],
    );
    const second = await owner.post<{ reply: string }>(chat, {
      message: 'And when?',
      sessionId: first.body.sessionId,
    });
    expect(second.status).toBe(200);
    // The first question, its answer and this one: not the invisible message.
    expect(second.body.reply).toContain('(3 messages so far)');
  });

  it('refuses a session id with another of the owner’s documents', async () => {
    const other = await user.post<{ id: string }>('/api/documents', {
      title: 'Other',
      text: 'Another document.',
    });
    const chat = await user.post<{ sessionId: string }>(`/api/documents/${documentId}/chat`, {
      message: 'hello',
    });
    expectProblem(
      await user.post(`/api/documents/${other.body.id}/chat`, {
        message: 'hi',
        sessionId: chat.body.sessionId,
      }),
      404,
      'DT_ERR_CHAT_SESSION_NOT_FOUND',
    );
  });

  // Found in an exploratory test: a chat right after an upload, before its
  // index job ran, was answered "none of the passages" and stored as a turn.
  it('refuses a chat about a document not indexed yet with 409 and Retry-After, storing nothing', async () => {
    gateway.refuseIndexing = true;
    try {
      const created = await user.upload(corpusFile('bsd.txt'), 'pending.txt');
      const pendingId = String(created.body['id']);
      const refused = await user.post(`/api/documents/${pendingId}/chat`, {
        message: 'What about redistribution?',
      });
      expectProblem(refused, 409, 'DT_ERR_DOCUMENT_NOT_INDEXED');
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(String(refused.body['detail'])).toMatch(/still being indexed/);
      const sessions = await user.get<{ items: unknown[] }>(
        `/api/chat/sessions?documentId=${pendingId}`,
      );
      expect(sessions.body.items).toEqual([]);
      // A question over it alone too (found in an exploratory test: 200 "none answers").
      const asked = await user.post('/api/ask', {
        question: 'What about redistribution?',
        documentIds: [pendingId],
      });
      expectProblem(asked, 409, 'DT_ERR_DOCUMENT_NOT_INDEXED');
      expect(asked.headers.get('retry-after')).toBe('5');

      gateway.refuseIndexing = false;
      await user.untilIndexed(pendingId);
      const answered = await user.post<{ sessionId: string }>(`/api/documents/${pendingId}/chat`, {
        message: 'What about redistribution?',
      });
      expect(answered.status).toBe(200);
      expect(answered.body.sessionId).toEqual(expect.any(String));
    } finally {
      gateway.refuseIndexing = false;
    }
  });

  it('keeps a document’s AI results under the document, and its delete job drops them', async () => {
    const email = uniqueEmail('ai-results-deleted');
    const owner = await new ApiClient(backend.url).registerUser(email);
    const ownerId = (await backend.stores.users.findByEmail(email))?.id ?? '';
    const [memo = '', kept = ''] = await Promise.all(
      ['Secret memo', 'Kept memo'].map(async (title) => {
        const created = await owner.post<{ id: string }>('/api/documents', {
          title,
          text: `${title}: the merger with Contoso closes in March.`,
        });
        return created.body.id;
      }),
    );
    const keyIdeas = async (id: string) =>
      (await owner.post<TaskResult>(`/api/documents/${id}/ai/key-ideas`)).body.cached;
    expect([await keyIdeas(memo), await keyIdeas(kept)]).toEqual([false, false]);
    // Under the document's own prefix: dropping it forgets this document's results only.
    await backend.stores.cache.deleteByPrefix(documentAiResultsPrefix(ownerId, memo));
    expect([await keyIdeas(memo), await keyIdeas(kept)]).toEqual([false, true]);

    // Stands for every entry under the prefix (the cache lists no keys).
    const marker = `${documentAiResultsPrefix(ownerId, memo)}marker`;
    await backend.stores.cache.set(marker, 'derived from the memo', 60_000);
    const jobsBefore = gateway.calls.length;
    expect((await owner.delete(`/api/documents/${memo}`)).status).toBe(204);
    await eventually(async () =>
      gateway.calls.slice(jobsBefore).includes(`DELETE /ai/v1/index/${memo}`) ? true : undefined,
    );
    await eventually(async () =>
      (await backend.stores.outbox.pendingCounts()).delete === 0 ? true : undefined,
    );
    expect(await backend.stores.cache.get(marker)).toBeUndefined();
    expect(await keyIdeas(kept)).toBe(true);
  });

  it('deletes a document’s chat sessions with the document', async () => {
    const doomed = await user.post<{ id: string }>('/api/documents', {
      title: 'Doomed',
      text: 'A short-lived document about redistribution.',
    });
    await indexedAtTheGateway(doomed.body.id);
    const chat = await user.post<{ sessionId: string }>(`/api/documents/${doomed.body.id}/chat`, {
      message: 'redistribution?',
    });
    expect((await user.get(`/api/chat/sessions/${chat.body.sessionId}`)).status).toBe(200);
    expect((await user.delete(`/api/documents/${doomed.body.id}`)).status).toBe(204);
    expectProblem(
      await user.get(`/api/chat/sessions/${chat.body.sessionId}`),
      404,
      'DT_ERR_CHAT_SESSION_NOT_FOUND',
    );
  });

  /** The chat about the shared document, asked for as server-sent events. */
  const chatAsEventStream = (message: string) =>
    fetch(`${backend.url}/api/documents/${documentId}/chat`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${user.token}`,
        'content-type': 'application/json',
        accept: 'text/event-stream',
      },
      body: JSON.stringify({ message }),
    });

  it('streams the reply as server-sent events on Accept: text/event-stream', async () => {
    const response = await chatAsEventStream('Stream about the license conditions please');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('cache-control')).toBe('no-store, no-transform');
    expect(response.headers.get('vary')).toMatch(/\bAccept\b/);
    const events = eventsOf(await response.text());
    expect(events[0]?.event).toBe('session');
    expect(events.at(-1)?.event).toBe('done');
    expect(events.at(-1)?.data).toEqual({ citations: expect.any(Array), ...ANSWER_PROVENANCE });
    const deltas = events.filter((event) => event.event === 'delta');
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((event) => event.data['text']).join('')).toContain(
      'Stream about the license conditions please',
    );
    const session = await user.get<{ messages: unknown[] }>(
      `/api/chat/sessions/${String(events[0]?.data['sessionId'])}`,
    );
    expect(session.body.messages).toHaveLength(2);
  });

  it.each([
    ['refuses the stream', 'text/event-stream;q=0'],
    ['prefers JSON', 'application/json, text/event-stream;q=0.1'],
    ['states no preference', '*/*'],
  ])('answers JSON when the client %s (Accept: %s)', async (_, accept) => {
    const response = await fetch(`${backend.url}/api/documents/${documentId}/chat`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${user.token}`,
        'content-type': 'application/json',
        accept,
      },
      body: JSON.stringify({ message: 'Which format?' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('vary')).toMatch(/\bAccept\b/);
    expect(((await response.json()) as { reply: string }).reply).toContain('Which format?');
  });

  it('cancels the gateway call when the client leaves, and stores no turn', async () => {
    const owner = await new ApiClient(backend.url).registerUser(uniqueEmail('chat-leaves'));
    const doc = await owner.post<{ id: string }>('/api/documents', {
      title: 'Patience',
      text: 'A document about waiting for answers that never come.',
    });
    await indexedAtTheGateway(doc.body.id);
    const cancelledBefore = gateway.chatsCancelled;
    const callsBefore = gateway.calls.length;
    gateway.holdChat = true;
    try {
      const leaving = new AbortController();
      const chat = fetch(`${backend.url}/api/documents/${doc.body.id}/chat`, {
        method: 'POST',
        headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'Still there?' }),
        signal: leaving.signal,
      }).catch((error: unknown) => error);
      await eventually(async () =>
        gateway.calls.slice(callsBefore).includes('POST /ai/v1/chat') ? true : undefined,
      );
      leaving.abort();
      const leftAt = performance.now();
      expect(await chat).toMatchObject({ name: 'AbortError' });
      await eventually(async () => (gateway.chatsCancelled > cancelledBefore ? true : undefined));
      // At once, not at the backend's deadline for the call (3 s in these tests).
      expect(performance.now() - leftAt).toBeLessThan(1500);
    } finally {
      gateway.holdChat = false;
    }
    const sessions = await owner.get<{ items: unknown[] }>('/api/chat/sessions');
    expect(sessions.status).toBe(200);
    expect(sessions.body.items).toEqual([]);
    // The gateway answers the next chat as before.
    const next = await owner.post(`/api/documents/${doc.body.id}/chat`, { message: 'Now?' });
    expect(next.status).toBe(200);
  });

  it('lists the user’s chat sessions a page at a time, and deletes one for its owner only', async () => {
    const owner = await new ApiClient(backend.url).registerUser(uniqueEmail('chat-list'));
    const stranger = await new ApiClient(backend.url).registerUser(uniqueEmail('chat-stranger'));
    const [first, second] = await Promise.all(
      ['Alpha notes', 'Beta notes'].map(async (title) => {
        const created = await owner.post<{ id: string }>('/api/documents', {
          title,
          text: `${title} about licences and their conditions.`,
        });
        await indexedAtTheGateway(created.body.id);
        return created.body.id;
      }),
    );
    const chatAbout = async (id: string | undefined, message: string) =>
      (await owner.post<{ sessionId: string }>(`/api/documents/${id}/chat`, { message })).body
        .sessionId;
    const oldest = await chatAbout(first, 'first question');
    const middle = await chatAbout(second, 'second question');
    const newest = await chatAbout(first, 'third question');
    await owner.post(`/api/documents/${first}/chat`, { message: 'more', sessionId: oldest });

    type Listed = {
      items: { id: string; documentId: string; documentTitle: string; messageCount: number }[];
      nextCursor: string | null;
    };
    // Most recently active first: the oldest session was answered last.
    const page1 = await owner.get<Listed>('/api/chat/sessions?limit=2');
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((item) => item.id)).toEqual([oldest, newest]);
    expect(page1.body.items[0]).toEqual({
      id: oldest,
      documentId: first,
      documentTitle: 'Alpha notes',
      messageCount: 4,
      createdAt: expect.any(String),
      lastActivityAt: expect.any(String),
    });
    const page2 = await owner.get<Listed>(
      `/api/chat/sessions?limit=2&cursor=${page1.body.nextCursor}`,
    );
    expect(page2.body).toEqual({
      items: [expect.objectContaining({ id: middle, messageCount: 2 })],
      nextCursor: null,
    });
    const aboutFirst = await owner.get<Listed>(`/api/chat/sessions?documentId=${first}`);
    expect(aboutFirst.body.items.map((item) => item.id)).toEqual([oldest, newest]);
    expect((await stranger.get<Listed>('/api/chat/sessions')).body.items).toEqual([]);

    expectProblem(await owner.get('/api/chat/sessions?cursor=nope'), 400, 'DT_ERR_INVALID_CURSOR');
    expectProblem(await owner.get('/api/chat/sessions?limit=0'), 400, 'DT_ERR_VALIDATION');
    expectProblem(await owner.get('/api/chat/sessions?colour=red'), 400, 'DT_ERR_VALIDATION');

    expectProblem(
      await stranger.delete(`/api/chat/sessions/${middle}`),
      404,
      'DT_ERR_CHAT_SESSION_NOT_FOUND',
    );
    expect((await owner.get(`/api/chat/sessions/${middle}`)).status).toBe(200);
    expect((await owner.delete(`/api/chat/sessions/${middle}`)).status).toBe(204);
    expectProblem(
      await owner.get(`/api/chat/sessions/${middle}`),
      404,
      'DT_ERR_CHAT_SESSION_NOT_FOUND',
    );
    expectProblem(
      await owner.delete(`/api/chat/sessions/${middle}`),
      404,
      'DT_ERR_CHAT_SESSION_NOT_FOUND',
    );
    expect(
      (await owner.get<Listed>('/api/chat/sessions')).body.items.map((item) => item.id),
    ).toEqual([oldest, newest]);
  });

  // Two messages whose emoji start one code unit apart: with either parity
  // of the reply's prefix, a 48-unit chunk boundary falls inside a pair.
  it.each(['😀'.repeat(60), `x${'😀'.repeat(60)}`])(
    'never splits a character across server-sent events',
    async (message) => {
      const response = await chatAsEventStream(message);
      const deltas = eventsOf(await response.text())
        .filter(({ event }) => event === 'delta')
        .map(({ data }) => String(data['text']));
      expect(deltas.length).toBeGreaterThan(2);
      expect(deltas.filter((text) => text !== text.toWellFormed())).toEqual([]);
      expect(deltas.join('')).toContain(message);
    },
  );

  // Deleted in the store while its removal from the index is still queued
  // (the gateway was down, say): the index still holds its text.
  it('never answers from a document deleted since it was indexed', async () => {
    const email = uniqueEmail('ask-deleted');
    const owner = await new ApiClient(backend.url).registerUser(email);
    const ownerId = (await backend.stores.users.findByEmail(email))?.id ?? '';
    const secret = await owner.post<{ id: string }>('/api/documents', {
      title: 'Secret',
      text: 'The launch code for project nightingale is quartz falcon seven.',
    });
    const kept = await owner.post<{ id: string }>('/api/documents', {
      title: 'Kept',
      text: 'Project nightingale launches in spring from the northern site.',
    });
    await eventually(async () =>
      gateway.indexed.has(secret.body.id) && gateway.indexed.has(kept.body.id) ? true : undefined,
    );
    await backend.stores.documents.delete(ownerId, secret.body.id);
    expect(gateway.indexed.has(secret.body.id)).toBe(true);

    const answer = await owner.post<{ answer: string; citations: { documentId: string }[] }>(
      '/api/ask',
      { question: 'What is the launch code for project nightingale?' },
    );
    expect(answer.status).toBe(200);
    expect(answer.body.answer).not.toContain('quartz');
    expect(answer.body.citations.map((citation) => citation.documentId)).toEqual(
      answer.body.citations.length ? [kept.body.id] : [],
    );
  });

  it('answers questions over the user’s documents with titled citations', async () => {
    const answer = await user.post<{
      answer: string;
      citations: { documentId: string; title: string; score: number }[];
    }>('/api/ask', { question: 'Which conditions apply to redistribution?' });
    expect(answer.status).toBe(200);
    expect(answer.body.answer).toMatch(/From your documents/);
    expect(answer.body.citations[0]).toMatchObject({
      documentId,
      title: expect.any(String),
      score: expect.any(Number),
    });
    const scoped = await user.post('/api/ask', {
      question: 'redistribution',
      documentIds: [documentId],
    });
    expect(scoped.status).toBe(200);
    expectProblem(
      await user.post('/api/ask', { question: 'x', documentIds: ['not-mine'] }),
      404,
      'DT_ERR_DOCUMENT_NOT_FOUND',
    );
    expectProblem(await user.post('/api/ask', { question: '' }), 400, 'DT_ERR_VALIDATION');
  });

  it('answers 503 with Retry-After in under a second when the gateway is down, never hanging', async () => {
    await gateway.stop();
    try {
      for (const request of [
        () => user.post(`/api/documents/${documentId}/ai/discussion-points`, { maxItems: 3 }),
        () => user.post('/api/ai/topics', { text: 'uncached text' }),
        () => user.post(`/api/documents/${documentId}/chat`, { message: 'anyone there?' }),
        () => user.post('/api/ask', { question: 'anyone there?' }),
      ]) {
        const started = performance.now();
        const answer = await request();
        expect(performance.now() - started).toBeLessThan(1000);
        expectProblem(answer, 503, 'DT_ERR_AI_UNAVAILABLE');
        expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
      }
    } finally {
      await gateway.start();
    }
    // The breaker lets calls through again once the gateway is back.
    const recovered = await eventually(async () => {
      const answer = await user.post<TaskResult>('/api/ai/topics', { text: 'uncached text' });
      return answer.status === 200 ? answer : undefined;
    });
    expect(recovered.body.provider).toBe('fake');
  });

  it('authenticates to the gateway with the service token only', () => {
    expect(gateway.unauthorised).toBe(0);
  });
});
