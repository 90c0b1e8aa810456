import { GATEWAY_API } from '@docuthinker/contracts';
import { asUser, startTestGateway, type TestGateway } from './support/test-gateway';

const TEXT = 'Lighthouses guide ships. Keepers tend the lamps every night.';

describe('AI calls per user token per minute', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ aiCallsPerMinute: 3 });
  });
  afterAll(() => gateway.close());

  const asLimited = async (
    subject: string,
    method: 'GET' | 'POST',
    url: string,
    payload?: object,
  ) =>
    gateway.app.inject({
      method,
      url,
      headers: await asUser(subject),
      ...(payload ? { payload } : {}),
    });

  it('answers 429 with Retry-After once a user token has spent the minute', async () => {
    // Invalid requests, graph reads and lexical searches are not AI calls.
    for (let call = 0; call < 4; call += 1) {
      const lexical = await asLimited('lena', 'POST', GATEWAY_API.search, {
        query: 'lamps',
        mode: 'lexical',
      });
      expect(lexical.statusCode).toBe(200);
    }
    expect(
      (await asLimited('lena', 'POST', GATEWAY_API.task('summary'), { text: '' })).statusCode,
    ).toBe(400);
    expect((await asLimited('lena', 'GET', GATEWAY_API.entities)).statusCode).toBe(200);

    const spent = [
      await asLimited('lena', 'POST', GATEWAY_API.task('summary'), { text: TEXT }),
      await asLimited('lena', 'POST', GATEWAY_API.index, {
        documentId: 'lamps',
        title: 'Lamps',
        text: TEXT,
      }),
      await asLimited('lena', 'POST', GATEWAY_API.search, { query: 'lamps' }),
    ];
    expect(spent.map((answer) => answer.statusCode)).toEqual([200, 200, 200]);

    for (const [url, payload] of [
      [GATEWAY_API.ask, { question: 'Who tends the lamps?' }],
      [GATEWAY_API.chat, { messages: [{ role: 'user', content: 'lamps?' }] }],
      [GATEWAY_API.analyze, { document: TEXT }],
    ] as const) {
      const refused = await asLimited('lena', 'POST', url, payload);
      expect({ url, status: refused.statusCode }).toEqual({ url, status: 429 });
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.json().code).toBe('DT_ERR_RATE_LIMITED');
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
    }

    // Another user's allowance is their own; the service, which limits its users itself, is not counted.
    expect(
      (await asLimited('mona', 'POST', GATEWAY_API.task('summary'), { text: TEXT })).statusCode,
    ).toBe(200);
    for (let call = 0; call < 5; call += 1) {
      const served = await gateway.service({
        method: 'POST',
        url: GATEWAY_API.search,
        payload: { ownerId: 'lena', query: 'lamps' },
      });
      expect(served.statusCode).toBe(200);
    }
  });

  it('documents 429 on the routes it counts, and only there', async () => {
    const document = (await gateway.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const statuses = (path: string, method: string) =>
      Object.keys(document.paths[path][method].responses);
    expect(statuses('/ai/v1/tasks/{task}', 'post')).toContain('429');
    expect(statuses('/analyze', 'post')).toContain('429');
    expect(statuses('/ai/v1/search', 'post')).toContain('429');
    expect(statuses('/ai/v1/graph/entities', 'get')).not.toContain('429');
    expect(statuses('/ai/v1/index', 'delete')).not.toContain('429');
  });
});
