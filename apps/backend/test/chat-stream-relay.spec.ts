import { ApiClient, corpusFile, eventually, uniqueEmail } from './support/api-client';
import { ANSWER_PROVENANCE, startFakeGateway, type FakeGateway } from './support/fake-gateway';
import { deltaText, EventReader } from './support/server-sent-events';
import { SERVICE_TOKEN, startBackend, type RunningBackend } from './support/start-backend';

describe('Chat relays the gateway’s streamed reply as it is written', () => {
  let gateway: FakeGateway;
  let backend: RunningBackend;
  let user: ApiClient;
  let documentId: string;

  beforeAll(async () => {
    gateway = await startFakeGateway(SERVICE_TOKEN);
    backend = await startBackend({ gatewayUrl: gateway.url });
    user = await new ApiClient(backend.url).registerUser(uniqueEmail('relay'));
    const created = await user.upload(corpusFile('bsd.txt'), 'bsd.txt');
    documentId = String(created.body['id']);
    await user.untilIndexed(documentId);
  });
  afterEach(() => {
    gateway.replyAfterFirstPiece = 'ends';
    gateway.releaseHeldReplies();
  });
  afterAll(async () => {
    await backend.close();
    await gateway.stop();
  });

  const chatAsEvents = (
    message: string,
    options: { sessionId?: string; about?: string; signal?: AbortSignal } = {},
  ) =>
    fetch(`${backend.url}/api/documents/${options.about ?? documentId}/chat`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${user.token}`,
        'content-type': 'application/json',
        accept: 'text/event-stream',
      },
      body: JSON.stringify({
        message,
        ...(options.sessionId ? { sessionId: options.sessionId } : {}),
      }),
      ...(options.signal ? { signal: options.signal } : {}),
    });

  it('sends the first pieces while the gateway still holds the rest, and stores the turn at done', async () => {
    gateway.replyAfterFirstPiece = 'held';
    const response = await chatAsEvents('What does the license say about redistribution?');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = new EventReader(response);
    const session = await events.next();
    expect(session?.event).toBe('session');
    const sessionId = String(session?.data['sessionId']);
    const first = await events.next();
    expect(first?.event).toBe('delta');
    // Named, but not stored before the reply is done.
    expect((await user.get(`/api/chat/sessions/${sessionId}`)).status).toBe(404);
    // Nothing more comes while the gateway holds the rest.
    const pending = events.next();
    const heldBack = Symbol('held back');
    expect(
      await Promise.race([pending, new Promise((resolve) => setTimeout(resolve, 300, heldBack))]),
    ).toBe(heldBack);

    gateway.releaseHeldReplies();
    expect((await pending)?.event).toBe('delta');
    const all = await events.rest();
    const done = all.at(-1);
    expect(done?.event).toBe('done');
    expect(done?.data).toEqual({
      citations: expect.arrayContaining([expect.objectContaining({ documentId })]),
      ...ANSWER_PROVENANCE,
    });
    const reply = deltaText(all);
    expect(reply).toContain('What does the license say about redistribution?');
    const stored = await user.get<{ messages: { role: string; content: string }[] }>(
      `/api/chat/sessions/${sessionId}`,
    );
    expect(stored.body.messages.map(({ role, content }) => [role, content])).toEqual([
      ['user', 'What does the license say about redistribution?'],
      ['assistant', reply],
    ]);
  });

  it('continues a session the client names, sending the gateway its history', async () => {
    const first = await new EventReader(await chatAsEvents('First question')).rest();
    const sessionId = String(first[0]?.data['sessionId']);
    const second = await new EventReader(
      await chatAsEvents('Second question', { sessionId }),
    ).rest();
    expect(second[0]?.data).toEqual({ sessionId });
    // The fake gateway's reply counts the messages it was sent.
    expect(deltaText(second)).toContain('(3 messages so far)');
    const stored = await user.get<{ messages: unknown[] }>(`/api/chat/sessions/${sessionId}`);
    expect(stored.body.messages).toHaveLength(4);
  });

  it.each([
    ['the gateway’s error event', 'error-event'],
    ['a cut connection', 'cut'],
  ] as const)('ends with an error event after %s, keeping no turn', async (_, ending) => {
    const opening = await new EventReader(await chatAsEvents('Opening question')).rest();
    const sessionId = String(opening[0]?.data['sessionId']);
    gateway.replyAfterFirstPiece = ending;

    for (const named of [undefined, sessionId]) {
      const reader = new EventReader(
        await chatAsEvents('A question whose reply breaks off', {
          ...(named ? { sessionId: named } : {}),
        }),
      );
      // The first piece has reached the client before the reply breaks off.
      expect((await reader.next())?.event).toBe('session');
      expect((await reader.next())?.event).toBe('delta');
      gateway.releaseHeldReplies();
      const events = await reader.rest();
      expect(events.map(({ event }) => event)).toEqual(['session', 'delta', 'error']);
      expect(events[2]?.data).toMatchObject({
        status: 502,
        code: 'DT_ERR_ANSWER_INTERRUPTED',
        detail: expect.stringMatching(/incomplete/),
        requestId: expect.any(String),
      });
      // The gateway's own words stay in the log.
      expect(String(events[2]?.data['detail'])).not.toMatch(/fake/);
      if (named === undefined) {
        const newSession = String(events[0]?.data['sessionId']);
        expect((await user.get(`/api/chat/sessions/${newSession}`)).status).toBe(404);
      }
    }
    const kept = await user.get<{ messages: unknown[] }>(`/api/chat/sessions/${sessionId}`);
    expect(kept.body.messages).toHaveLength(2);
    expect(backend.logs()).toMatch(/the reply stream ended: DT_ERR_ANSWER_INTERRUPTED/);
  });

  it.each([
    // The check after the turn was appended: the turn is taken back out.
    ['checking the document', () => jest.spyOn(backend.stores.documents, 'titlesOf')],
    // The session was created for it: it goes, not left empty in the user's list.
    ['appending the turn', () => jest.spyOn(backend.stores.chatSessions, 'append')],
  ])('ends with an error event carrying Retry-After when storage fails %s', async (_, spyOn) => {
    gateway.replyAfterFirstPiece = 'held';
    const reader = new EventReader(await chatAsEvents('A question asked while storage fails'));
    const sessionId = String((await reader.next())?.data['sessionId']);
    expect((await reader.next())?.event).toBe('delta');
    // The store goes down while the reply is written.
    const outage = Object.assign(new Error('connection refused'), { name: 'MongoNetworkError' });
    const failing = spyOn().mockRejectedValueOnce(outage);
    try {
      gateway.releaseHeldReplies();
      const ending = (await reader.rest()).at(-1);
      expect(ending).toMatchObject({
        event: 'error',
        data: { status: 503, code: 'DT_ERR_STORAGE_UNAVAILABLE', retryAfterSeconds: 5 },
      });
      expect(failing).toHaveBeenCalled();
    } finally {
      failing.mockRestore();
    }
    expect((await user.get(`/api/chat/sessions/${sessionId}`)).status).toBe(404);
  });

  it('closes the gateway’s stream when the client leaves mid-reply, and stores nothing', async () => {
    gateway.replyAfterFirstPiece = 'held';
    const cancelledBefore = gateway.chatsCancelled;
    const leaving = new AbortController();
    const events = new EventReader(
      await chatAsEvents('A question nobody waits for', { signal: leaving.signal }),
    );
    const sessionId = String((await events.next())?.data['sessionId']);
    expect((await events.next())?.event).toBe('delta');
    leaving.abort();
    await eventually(async () => (gateway.chatsCancelled > cancelledBefore ? true : undefined));
    gateway.releaseHeldReplies();
    await eventually(async () =>
      /the client left before the reply was done/.test(backend.logs()) ? true : undefined,
    );
    expect((await user.get(`/api/chat/sessions/${sessionId}`)).status).toBe(404);
  });

  it('ends with a 404 error event, keeping nothing, when the document is deleted mid-reply', async () => {
    const doomed = await user.post<{ id: string }>('/api/documents', {
      title: 'Doomed',
      text: 'A short-lived document about redistribution and its conditions.',
    });
    await eventually(async () => (gateway.indexed.has(doomed.body.id) ? true : undefined));
    await user.untilIndexed(doomed.body.id);
    gateway.replyAfterFirstPiece = 'held';
    const events = new EventReader(
      await chatAsEvents('redistribution conditions?', { about: doomed.body.id }),
    );
    const sessionId = String((await events.next())?.data['sessionId']);
    expect((await events.next())?.event).toBe('delta');
    expect((await user.delete(`/api/documents/${doomed.body.id}`)).status).toBe(204);
    gateway.releaseHeldReplies();
    const all = await events.rest();
    expect(all.at(-1)).toEqual({
      event: 'error',
      data: expect.objectContaining({ status: 404, code: 'DT_ERR_DOCUMENT_NOT_FOUND' }),
    });
    expect((await user.get(`/api/chat/sessions/${sessionId}`)).status).toBe(404);
  });

  // Found in review: a continued session's turn said the session was not
  // found, a new session's the document, for the same deletion.
  it('ends a continued session with the same 404 DT_ERR_DOCUMENT_NOT_FOUND when the document is deleted mid-reply', async () => {
    const doomed = await user.post<{ id: string }>('/api/documents', {
      title: 'Doomed too',
      text: 'Another short-lived document about redistribution and its conditions.',
    });
    await user.untilIndexed(doomed.body.id);
    const first = await user.post<{ sessionId: string }>(`/api/documents/${doomed.body.id}/chat`, {
      message: 'redistribution?',
    });
    expect(first.status).toBe(200);
    gateway.replyAfterFirstPiece = 'held';
    const events = new EventReader(
      await chatAsEvents('and its conditions?', {
        about: doomed.body.id,
        sessionId: first.body.sessionId,
      }),
    );
    expect((await events.next())?.event).toBe('session');
    expect((await events.next())?.event).toBe('delta');
    expect((await user.delete(`/api/documents/${doomed.body.id}`)).status).toBe(204);
    gateway.releaseHeldReplies();
    expect((await events.rest()).at(-1)).toEqual({
      event: 'error',
      data: expect.objectContaining({ status: 404, code: 'DT_ERR_DOCUMENT_NOT_FOUND' }),
    });
    expect((await user.get(`/api/chat/sessions/${first.body.sessionId}`)).status).toBe(404);
  });

  it('answers problem+json, not events, when the reply cannot begin', async () => {
    // Another user's document: refused before the gateway is asked.
    const stranger = await new ApiClient(backend.url).registerUser(uniqueEmail('relay-other'));
    const theirs = await stranger.post<{ id: string }>('/api/documents', {
      title: 'Theirs',
      text: 'Nothing of yours.',
    });
    const refused = await chatAsEvents('hello', { about: theirs.body.id });
    expect(refused.status).toBe(404);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);

    // The gateway down: the same 503 as a JSON chat gets.
    await gateway.stop();
    try {
      const unavailable = await chatAsEvents('Anyone there?');
      expect(unavailable.status).toBe(503);
      expect(unavailable.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(((await unavailable.json()) as { code: string }).code).toBe('DT_ERR_AI_UNAVAILABLE');
    } finally {
      await gateway.start();
    }
  });

  it('answers a document whose index job has not run as a JSON chat does: 409, nothing stored', async () => {
    gateway.refuseIndexing = true;
    try {
      const created = await user.post<{ id: string }>('/api/documents', {
        title: 'Pending',
        text: 'Waiting to be indexed, about redistribution.',
      });
      const refused = await chatAsEvents('redistribution?', { about: created.body.id });
      expect(refused.status).toBe(409);
      expect(((await refused.json()) as { code: string }).code).toBe('DT_ERR_DOCUMENT_NOT_INDEXED');
      const sessions = await user.get<{ items: unknown[] }>(
        `/api/chat/sessions?documentId=${created.body.id}`,
      );
      expect(sessions.body.items).toEqual([]);
    } finally {
      gateway.refuseIndexing = false;
    }
  });
});
