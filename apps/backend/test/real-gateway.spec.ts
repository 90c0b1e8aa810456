import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServiceProcess, type ServiceProcess } from '@docuthinker/testing';
import { ApiClient, corpusFile, eventually, uniqueEmail } from './support/api-client';
import { deltaText, eventsOf } from './support/server-sent-events';
import {
  JWT_SECRET,
  SERVICE_TOKEN,
  startBackend,
  type RunningBackend,
} from './support/start-backend';

const GATEWAY_BUNDLE = join(__dirname, '../../../dist/apps/aiml-gateway/main.js');

/**
 * The backend against the real AI/ML gateway bundle (embedded vector index,
 * graph and offline engine), proving both sides read libs/contracts alike.
 */
describe('backend with the real AI/ML gateway process', () => {
  const gatewayDataDir = mkdtempSync(join(tmpdir(), 'dt-real-gateway-'));
  let gateway: ServiceProcess;
  let backend: RunningBackend;
  let user: ApiClient;
  let documentId: string;

  beforeAll(async () => {
    if (!existsSync(GATEWAY_BUNDLE))
      throw new Error(`build the gateway first: ${GATEWAY_BUNDLE} is missing`);
    gateway = await startServiceProcess(GATEWAY_BUNDLE, {
      NODE_ENV: 'development',
      DOCUTHINKER_DATA_DIR: gatewayDataDir,
      DOCUTHINKER_SERVICE_TOKEN: SERVICE_TOKEN,
      DOCUTHINKER_JWT_SECRET: JWT_SECRET,
    });
    backend = await startBackend({ gatewayUrl: gateway.url });
    user = await new ApiClient(backend.url).registerUser(uniqueEmail('real-gateway'));
    const created = await user.upload(corpusFile('bsd.txt'), 'bsd.txt');
    documentId = String(created.body['id']);
  }, 60_000);
  afterAll(async () => {
    await backend?.close();
    await gateway?.stop('SIGTERM');
    rmSync(gatewayDataDir, { recursive: true, force: true });
  });

  it('indexes an upload through it', async () => {
    const indexed = await eventually(
      async () => {
        const document = await user.get<{ indexStatus: string; summaryDegraded: boolean }>(
          `/api/documents/${documentId}`,
        );
        return document.body.indexStatus === 'indexed' ? document.body : undefined;
      },
      { timeoutMs: 20_000 },
    );
    expect(indexed.indexStatus).toBe('indexed');

    // The index job asks for a provider's summary only: this gateway has
    // none, so it answers 501 at once and its offline engine computes no
    // summary that the backend would drop for the upload's own.
    const metrics = await eventually(
      async () => {
        const text = await (await fetch(`${gateway.url}/metrics`)).text();
        return /route="\/ai\/v1\/tasks\/:task",status_code="501"/.test(text) ? text : undefined;
      },
      { timeoutMs: 10_000 },
    );
    expect(metrics).not.toMatch(/provider_attempts_total\{provider="local",task="summary"/);
    const after = await user.get<{ summaryDegraded: boolean }>(`/api/documents/${documentId}`);
    expect(after.body.summaryDegraded).toBe(true);
  });

  it('runs AI tasks, semantic search, ask and chat through it', async () => {
    const summary = await user.post<{ result: unknown; provider: string; cached: boolean }>(
      `/api/documents/${documentId}/ai/summary`,
    );
    expect(summary.status).toBe(200);
    expect(typeof summary.body.result).toBe('string');
    const sentiment = await user.post<{ result: { score: number } }>(
      `/api/documents/${documentId}/ai/sentiment`,
    );
    expect(sentiment.status).toBe(200);
    expect(sentiment.body.result.score).toBeGreaterThanOrEqual(-1);

    const search = await user.get<{ items: { id: string }[]; mode: string; degraded: boolean }>(
      '/api/documents/search?q=redistribution%20of%20source%20code&mode=semantic',
    );
    expect(search.body).toMatchObject({ mode: 'semantic', degraded: false });
    expect(search.body.items.map((item) => item.id)).toContain(documentId);

    const ask = await user.post<{ answer: string; citations: { documentId: string }[] }>(
      '/api/ask',
      {
        question: 'What conditions apply to redistribution in binary form?',
      },
    );
    expect(ask.status).toBe(200);
    expect(ask.body.citations.map((citation) => citation.documentId)).toContain(documentId);

    const chat = await user.post<{ reply: string; sessionId: string }>(
      `/api/documents/${documentId}/chat`,
      {
        message: 'May I use the name of the university to promote my product?',
      },
    );
    expect(chat.status).toBe(200);
    expect(chat.body.reply.length).toBeGreaterThan(0);
  });

  it("relays the gateway's streamed chat reply, and stores what it relayed", async () => {
    const response = await fetch(`${backend.url}/api/documents/${documentId}/chat`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${user.token}`,
        'content-type': 'application/json',
        accept: 'text/event-stream',
      },
      body: JSON.stringify({ message: 'What conditions apply to redistribution?' }),
    });
    expect(response.status).toBe(200);
    const events = eventsOf(await response.text());
    expect(events[0]?.event).toBe('session');
    expect(events.at(-1)).toEqual({
      event: 'done',
      data: {
        citations: expect.arrayContaining([expect.objectContaining({ documentId })]),
        provider: 'local',
        model: expect.any(String),
        degraded: expect.any(Boolean),
      },
    });
    const reply = deltaText(events);
    expect(reply).toMatch(/redistribut/i);
    const session = await user.get<{ messages: { content: string }[] }>(
      `/api/chat/sessions/${String(events[0]?.data['sessionId'])}`,
    );
    expect(session.body.messages.map(({ content }) => content)).toEqual([
      'What conditions apply to redistribution?',
      reply,
    ]);
  });

  // Found in review: the gateway logged the calls a request caused under ids
  // of its own, so one request could not be followed across the services.
  it("sends the user's request id with each gateway call it causes", async () => {
    const calls = [
      ['POST', `/api/documents/${documentId}/ai/key-ideas`, undefined],
      ['POST', '/api/ai/summary', { text: 'Redistribution requires the notice.' }],
      ['GET', '/api/documents/search?q=binary%20form&mode=semantic', undefined],
      ['POST', '/api/ask', { question: 'What does redistribution require?' }],
      ['POST', `/api/documents/${documentId}/chat`, { message: 'Who may redistribute?' }],
    ] as const;
    for (const [index, [method, path, json]] of calls.entries()) {
      const requestId = `trace-${index}-${Date.now()}`;
      const answer = await user.request(method, path, {
        headers: { 'x-request-id': requestId },
        ...(json ? { json } : {}),
      });
      expect({ path, status: answer.status }).toEqual({ path, status: 200 });
      const gatewayLine = await eventually(async () =>
        gateway
          .output()
          .split('\n')
          .find((line) => line.includes(`"id":"${requestId}"`)),
      );
      expect(JSON.parse(gatewayLine)).toEqual(
        expect.objectContaining({ msg: 'request completed', res: { statusCode: 200 } }),
      );
    }
  });

  // Found in review: the outbox's calls had ids of their own at the gateway,
  // so an index or delete call could not be tied to its job.
  it("sends each outbox job's id with its gateway calls", async () => {
    const gatewayLineOf = (method: string, url: RegExp) =>
      eventually(async () =>
        gateway
          .output()
          .split('\n')
          .filter((line) => line.includes('"id":"outbox:'))
          .map((line) => JSON.parse(line) as { req?: { method: string; url: string } })
          .find((line) => line.req?.method === method && url.test(line.req.url)),
      );
    expect(await gatewayLineOf('POST', /^\/ai\/v1\/index$/)).toEqual(
      expect.objectContaining({ msg: 'request completed', res: { statusCode: 200 } }),
    );
    const doomed = await user.post<{ id: string }>('/api/documents', {
      title: 'Short-lived',
      text: 'A document deleted straight away.',
    });
    expect((await user.delete(`/api/documents/${doomed.body.id}`)).status).toBe(204);
    expect(
      await gatewayLineOf('DELETE', new RegExp(`^/ai/v1/index/${doomed.body.id}(\\?|$)`)),
    ).toEqual(expect.objectContaining({ res: { statusCode: 200 } }));
  });

  // Found by the fuzz suite (tools/fuzz): the gateway's 501 counted as a
  // gateway failure, so a few unsupported requests opened the breaker and
  // every AI route answered 503 for every user.
  it('answers an unsupported task with 501 and keeps the breaker closed', async () => {
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const answer = await user.post(`/api/documents/${documentId}/ai/summary-in-language`, {
        language: 'French',
      });
      expect(answer.status).toBe(501);
      expect(answer.body['code']).toBe('DT_ERR_TASK_UNSUPPORTED');
    }
    const summary = await user.post(`/api/documents/${documentId}/ai/summary`);
    expect(summary.status).toBe(200);
  });

  // Found by an exploratory test: the gateway's 501 quotes what it cannot
  // do (the instruction, the style), and the backend logged that detail:
  // user text in the logs, a line as long as the instruction.
  it("answers the gateway's 501 detail to the user and keeps the user's words out of the log", async () => {
    const instructions = 'My SSN is 078-05-1120; rewrite it as a poem';
    const refined = await user.post('/api/ai/refine-summary', {
      text: 'Revenue grew in the third quarter.',
      summary: 'Revenue grew.',
      instructions,
    });
    expect(refined.status).toBe(501);
    expect(String(refined.body['detail'])).toContain('078-05-1120');
    const styled = await user.post('/api/ai/rewrite', { text: 'hello', style: 'pirate-secret' });
    expect(styled.status).toBe(501);
    const lines = backend.logs().split('\n');
    for (const route of ['/api/ai/refine-summary', '/api/ai/rewrite']) {
      expect(
        lines.filter(
          (line) => line.includes(route) && line.includes('(501 DT_ERR_TASK_UNSUPPORTED)'),
        ),
      ).toHaveLength(1);
    }
    expect(lines.filter((line) => /078-05-1120|pirate-secret/.test(line))).toEqual([]);
  });

  // Found in review: a document stored before titles had to show something
  // (a title of zero-width characters) got 502 on every AI task, the
  // gateway refusing its title.
  it('runs AI tasks on a document whose stored title shows nothing', async () => {
    const ownerId = String((await user.get('/api/me')).body['id']);
    const invisible = await backend.stores.documents.create({
      ownerId,
      title: '\u200b\u2060',
      fileType: 'txt',
      size: 40,
      contentHash: 'e'.repeat(64),
      text: 'Quokkas live on Rottnest Island, off the coast of Perth.',
      summary: 'Quokkas live on Rottnest Island.',
      summaryDegraded: true,
      fileKey: `${ownerId}/invisible/original.txt`,
    });
    const keyIdeas = await user.post(`/api/documents/${invisible.id}/ai/key-ideas`);
    expect(keyIdeas.status).toBe(200);
  });

  it('removes a deleted document from the gateway index', async () => {
    expect((await user.delete(`/api/documents/${documentId}`)).status).toBe(204);
    await eventually(async () => {
      const counts = await backend.stores.outbox.pendingCounts();
      return counts.delete === 0 ? true : undefined;
    });
    const search = await user.get<{ items: unknown[] }>(
      '/api/documents/search?q=redistribution&mode=semantic',
    );
    expect(search.body.items).toEqual([]);
  });
});
