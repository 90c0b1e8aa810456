import { GATEWAY_API } from '@docuthinker/contracts';
import { asUser, startTestGateway, type TestGateway } from './support/test-gateway';

const WEB_APP = 'https://app.example.com';

describe('CORS for the web app, which calls /ai/* with the user token', () => {
  let gateway: TestGateway;
  let closed: TestGateway;
  beforeAll(async () => {
    [gateway, closed] = await Promise.all([
      startTestGateway({ corsOrigins: [WEB_APP] }),
      startTestGateway(),
    ]);
  });
  afterAll(() => Promise.all([gateway.close(), closed.close()]));

  const preflight = (app: TestGateway['app'], origin: string) =>
    app.inject({
      method: 'OPTIONS',
      url: GATEWAY_API.search,
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });

  /** A lexical search from the web app's page: `as` a user, or with no token at all. */
  const searchFromWebApp = async (app: TestGateway['app'], as?: string) =>
    app.inject({
      method: 'POST',
      url: GATEWAY_API.search,
      headers: { ...(as ? await asUser(as) : {}), origin: WEB_APP },
      payload: { query: 'lamps', mode: 'lexical' },
    });

  it('answers a preflight from a configured origin, before authentication', async () => {
    const answer = await preflight(gateway.app, WEB_APP);
    expect(answer.statusCode).toBe(204);
    expect(answer.headers['access-control-allow-origin']).toBe(WEB_APP);
    expect(answer.headers['access-control-allow-methods']).toBe('GET, POST, DELETE');
    expect(String(answer.headers['access-control-allow-headers']).toLowerCase()).toContain(
      'authorization',
    );
    expect(answer.headers['access-control-max-age']).toBe('600');
  });

  it('lets the page read an answer and its request id and Retry-After, and says the answer varies by Origin', async () => {
    const answer = await searchFromWebApp(gateway.app, 'cora');
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBe(WEB_APP);
    expect(answer.headers['access-control-expose-headers']).toBe('X-Request-Id, Retry-After');
    expect(String(answer.headers.vary)).toMatch(/Origin/);
  });

  it('gives another origin no CORS header, and a gateway without origins none at all', async () => {
    const other = await preflight(gateway.app, 'https://evil.example.net');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();

    const unconfigured = await preflight(closed.app, WEB_APP);
    expect(unconfigured.headers['access-control-allow-origin']).toBeUndefined();
    const read = await searchFromWebApp(closed.app, 'cora');
    expect(read.statusCode).toBe(200);
    expect(read.headers['access-control-allow-origin']).toBeUndefined();
  });

  // Found in review: @fastify/cors answered these 400 in plain text.
  it('answers an OPTIONS request that is no preflight as a gateway without CORS does: problem+json', async () => {
    const requests = [
      { url: GATEWAY_API.search, headers: {} },
      { url: GATEWAY_API.search, headers: { origin: WEB_APP } },
      { url: '/nope', headers: { origin: WEB_APP } },
    ];
    for (const request of requests) {
      const answer = await gateway.app.inject({ method: 'OPTIONS', ...request });
      const unconfigured = await closed.app.inject({ method: 'OPTIONS', ...request });
      expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect({ status: answer.statusCode, allow: answer.headers.allow }).toEqual({
        status: unconfigured.statusCode,
        allow: unconfigured.headers.allow,
      });
      expect(answer.json()).toMatchObject({ code: unconfigured.json().code });
    }
  });

  it('refuses an unauthenticated request from a configured origin readably, so the page can sign in again', async () => {
    const answer = await searchFromWebApp(gateway.app);
    expect(answer.statusCode).toBe(401);
    expect(answer.headers['access-control-allow-origin']).toBe(WEB_APP);
  });
});
