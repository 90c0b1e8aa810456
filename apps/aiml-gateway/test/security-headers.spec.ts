import { GATEWAY_API } from '@docuthinker/contracts';
import {
  asUser,
  startTestGateway,
  type GatewayAnswer,
  type GatewayRequest,
  type TestGateway,
  type Transport,
} from './support/test-gateway';

const WEB_APP = 'https://app.example.com';

/**
 * What every answer carries: helmet's defaults, as the backend sends them,
 * with framing denied outright (nothing here is ever framed).
 */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';" +
    "frame-ancestors 'none';img-src 'self' data:;object-src 'none';script-src 'self';" +
    "script-src-attr 'none';style-src 'self' https: 'unsafe-inline';upgrade-insecure-requests",
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'DENY',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

function securityHeadersOf(answer: GatewayAnswer): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.keys(SECURITY_HEADERS).map((name) => [name, answer.headers[name]]),
  );
}

// Found in review: browsers reach the gateway directly under /ai/* through
// the load balancer, and its answers carried none of the backend's
// security headers (no nosniff, no HSTS, no framing or referrer policy).
describe('security headers on every answer', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ corsOrigins: [WEB_APP] });
  });
  afterAll(() => gateway.close());

  const cases: Array<[what: string, status: number, request: () => Promise<GatewayRequest>]> = [
    [
      "a user's search",
      200,
      async () => ({
        method: 'POST',
        url: GATEWAY_API.search,
        headers: await asUser('hana'),
        payload: { query: 'lamps', mode: 'lexical' },
      }),
    ],
    [
      "a user's search from the web app",
      200,
      async () => ({
        method: 'POST',
        url: GATEWAY_API.search,
        headers: { ...(await asUser('hana')), origin: WEB_APP },
        payload: { query: 'lamps', mode: 'lexical' },
      }),
    ],
    [
      "a user's chat, streamed as server-sent events",
      200,
      async () => ({
        method: 'POST',
        url: GATEWAY_API.chat,
        headers: await asUser('hana'),
        payload: { messages: [{ role: 'user', content: 'Which lamps?' }], stream: true },
      }),
    ],
    [
      "a user's /analyze, served by the route",
      200,
      async () => ({
        method: 'POST',
        url: GATEWAY_API.analyze,
        headers: await asUser('hana'),
        payload: { document: 'Brass lamps light the reading room. They were fitted in 1902.' },
      }),
    ],
    [
      'a refused token (401 problem)',
      401,
      async () => ({
        method: 'POST',
        url: GATEWAY_API.search,
        headers: { authorization: 'Bearer not-a-token' },
        payload: { query: 'lamps' },
      }),
    ],
    [
      'an invalid body (400 problem)',
      400,
      async () => ({
        method: 'POST',
        url: GATEWAY_API.search,
        headers: await asUser('hana'),
        payload: { query: 42 },
      }),
    ],
    ['an unknown route (404 problem)', 404, async () => ({ method: 'GET', url: '/ai/v1/nothing' })],
    [
      'a URL that is not percent-encoding (400 problem, before routing)',
      400,
      async () => ({ method: 'GET', url: '/ai/v1/graph/documents/%E0%A4%A/related' }),
    ],
    ['health', 200, async () => ({ method: 'GET', url: '/health' })],
    ['the API docs page', 200, async () => ({ method: 'GET', url: '/api-docs' })],
  ];

  it.each(
    (['inject', 'http'] as Transport[]).flatMap((transport) =>
      cases.map(([what, status, request]) => [transport, what, status, request] as const),
    ),
  )('over %s: %s', async (transport, what, status, request) => {
    const answer = await gateway.request(transport, await request());
    expect({ what, status: answer.statusCode }).toEqual({ what, status });
    expect({ what, headers: securityHeadersOf(answer) }).toEqual({
      what,
      headers: SECURITY_HEADERS,
    });
  });

  it('sends them on a preflight the CORS hook answers too', async () => {
    const answer = await gateway.app.inject({
      method: 'OPTIONS',
      url: GATEWAY_API.search,
      headers: {
        origin: WEB_APP,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(answer.statusCode).toBe(204);
    expect(answer.headers['access-control-allow-origin']).toBe(WEB_APP);
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['x-frame-options']).toBe('DENY');
  });
});
