import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { GATEWAY_API } from '@docuthinker/contracts';
import {
  handedOverAnalyze,
  withProxiedAnalyze,
  type HandedOverAnalyze,
} from '../src/analyze/proxied-analyze-fast-path';
import { UpstreamFailure } from '../src/analyze/upstream-analyzer';
import { createBearerVerifier } from '../src/auth/bearer-credentials';
import { TokenRevocationCheck } from '../src/auth/token-revocation-check';
import { GatewayMetrics } from '../src/metrics/gateway-metrics';
import {
  cacheVerifiedTokens,
  type CachedBearerVerifier,
} from '../src/plugins/verified-token-cache';
import { StubUpstream, UPSTREAM_ANALYSIS } from './support/stub-upstream';
import {
  JWT_SECRET,
  SERVICE_TOKEN,
  startTestGateway,
  userToken,
  type TestGateway,
} from './support/test-gateway';

interface PassedOn {
  readonly url: string | undefined;
  readonly handedOver: HandedOverAnalyze | undefined;
}

/** Which requests the fast path answers itself, with a stand-in for Fastify that records the rest. */
describe('withProxiedAnalyze', () => {
  let upstream: StubUpstream;
  let gateway: TestGateway;
  let verifier: CachedBearerVerifier;
  let server: Server;
  let url: string;
  const passedOn: PassedOn[] = [];

  beforeAll(async () => {
    upstream = await StubUpstream.start();
    gateway = await startTestGateway({
      engine: { upstreamUrl: upstream.url },
      upstream: { timeoutMs: 5000, initialBackoffMs: 5, retries: 0 },
    });
    verifier = cacheVerifiedTokens(
      createBearerVerifier({ jwtSecret: JWT_SECRET, serviceToken: SERVICE_TOKEN }),
      new TokenRevocationCheck({ logger: pino({ level: 'silent' }) }),
    );
    const fastify = (req: IncomingMessage, res: import('node:http').ServerResponse) => {
      passedOn.push({ url: req.url, handedOver: handedOverAnalyze(req) });
      req.resume();
      res.writeHead(299).end();
    };
    server = createServer(
      withProxiedAnalyze(fastify, {
        connection: gateway.connection,
        verifier,
        bodyLimitBytes: 4096,
        metrics: new GatewayMetrics(),
        server: () => server,
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await gateway.close();
    await upstream.stop();
  });
  beforeEach(() => {
    upstream.behaviour = 'ok';
    upstream.received.length = 0;
    upstream.abandoned = 0;
    passedOn.length = 0;
  });

  const post = async (body: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${url}${GATEWAY_API.analyze}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${SERVICE_TOKEN}`,
        'content-type': 'application/json',
        ...headers,
      },
      body,
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  };
  const valid = JSON.stringify({ document: 'A short document.', question: 'What is it?' });

  it('proxies itself only once the token has verified', async () => {
    const first = await post(valid);
    expect(first.status).toBe(299);
    expect(passedOn).toEqual([{ url: GATEWAY_API.analyze, handedOver: undefined }]);
    expect(upstream.received).toHaveLength(0);

    await verifier(SERVICE_TOKEN);
    passedOn.length = 0;
    const answer = await post(valid, { 'x-request-id': 'fast-1' });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual(UPSTREAM_ANALYSIS);
    expect(answer.headers.get('x-docuthinker-served-by')).toBe('upstream');
    expect(answer.headers.get('x-request-id')).toBe('fast-1');
    expect(answer.headers.get('content-type')).toBe('application/json');
    expect(passedOn).toEqual([]);
    expect(upstream.received.map((received) => received.body)).toEqual([valid]);
    expect(upstream.received[0]?.headers['x-request-id']).toBe('fast-1');
  });

  // A user's /analyze is the route's (it writes the owner in, and checks
  // revocations), however well known the token: only the service's is proxied here.
  it("leaves a user token's request to the route, even once the token has verified", async () => {
    const token = await userToken('alice');
    await expect(verifier(token)).resolves.toEqual(expect.objectContaining({ kind: 'user' }));
    passedOn.length = 0;
    expect((await post(valid, { authorization: `Bearer ${token}` })).status).toBe(299);
    expect(passedOn).toEqual([{ url: GATEWAY_API.analyze, handedOver: undefined }]);
    expect(upstream.received).toHaveLength(0);
  });

  // The route refuses it: the service token is not taken through the load balancer.
  it("leaves the service token's request that came through the load balancer to the route", async () => {
    await verifier(SERVICE_TOKEN);
    passedOn.length = 0;
    expect((await post(valid, { 'x-forwarded-for': '203.0.113.9' })).status).toBe(299);
    expect(passedOn).toEqual([{ url: GATEWAY_API.analyze, handedOver: undefined }]);
    expect(upstream.received).toHaveLength(0);
  });

  /** Each body goes to the route with the bytes read, and the container is never called. */
  async function expectHandedOverUnsent(bodies: readonly string[]): Promise<void> {
    await verifier(SERVICE_TOKEN);
    for (const body of bodies) {
      passedOn.length = 0;
      expect((await post(body)).status).toBe(299);
      expect(passedOn).toHaveLength(1);
      expect(passedOn[0]?.handedOver?.body.toString('utf8')).toBe(body);
      expect(passedOn[0]?.handedOver?.upstreamAttempt).toBeUndefined();
    }
    expect(upstream.received).toHaveLength(0);
  }

  it('hands an invalid body over with the bytes it read, without calling the container', async () => {
    await expectHandedOverUnsent([
      '{"document": ',
      '{"document": "d", "mode": "deep"}',
      '{"__proto__": {}}',
      // Keys the route's parser refuses, wherever they are and however spelt.
      '{"document": "d", "metadata": {"__proto__": {"admin": true}}}',
      '{"document": "d", "metadata": {"constructor": {"prototype": {"admin": true}}}}',
      '{"document": "d", "metadata": {"\\u005f_proto__": {"admin": true}}}',
      '{"document": "d", "metadata": {"\\u0063onstructor": {"prototype": {}}}}',
      '{"document": "d", "metadata": {"sections": [{"title": "t"}, [{"__proto__": {}}]]}}',
      // The route's parser skips a byte order mark; plain JSON.parse does not.
      '\uFEFF{"document": "d"}',
    ]);
  });

  // The route's parser takes a `constructor` key without a `prototype` in it.
  it('proxies a body whose metadata names a constructor that is no prototype holder', async () => {
    await verifier(SERVICE_TOKEN);
    const bodies = [
      '{"document": "d", "metadata": {"constructor": "Ada"}}',
      '{"document": "d", "metadata": {"constructor": {"name": "Ada", "prototypes": 2}}}',
    ];
    for (const body of bodies) {
      passedOn.length = 0;
      expect((await post(body)).status).toBe(200);
      expect(passedOn).toEqual([]);
    }
    expect(upstream.received.map((received) => received.body)).toEqual(bodies);
  });

  // Found in review: a NUL or lone surrogate went to the container as sent;
  // the route forwards the text made well-formed, so such bodies go there.
  it('hands a body that may hold a NUL or a lone surrogate over, without calling the container', async () => {
    await expectHandedOverUnsent([
      '{"document": "a \\ud800 b"}',
      '{"document": "a \\uDFFF b"}',
      '{"document": "a \\u0000 b"}',
      '{"document": "d", "metadata": {"title": "t\\u0000"}}',
    ]);
    // Other escapes are no reason to leave the fast path.
    const accented = '{"document": "Caf\\u00e9 \\u4e2d"}';
    passedOn.length = 0;
    expect((await post(accented)).status).toBe(200);
    expect(passedOn).toEqual([]);
    expect(upstream.received.map((received) => received.body)).toEqual([accented]);
  });

  it("hands a failed call over with that call's outcome: the container is called once", async () => {
    await verifier(SERVICE_TOKEN);
    upstream.behaviour = 'error-500';
    expect((await post(valid)).status).toBe(299);
    expect(passedOn).toHaveLength(1);
    expect(passedOn[0]?.handedOver?.body.toString('utf8')).toBe(valid);
    await expect(passedOn[0]?.handedOver?.upstreamAttempt).rejects.toBeInstanceOf(UpstreamFailure);
    expect(upstream.received).toHaveLength(1);
  });

  it('stops the call when the client goes away, and hands nothing over', async () => {
    await verifier(SERVICE_TOKEN);
    upstream.behaviour = 'hang';
    const client = new AbortController();
    const call = fetch(`${url}${GATEWAY_API.analyze}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SERVICE_TOKEN}`, 'content-type': 'application/json' },
      body: valid,
      signal: client.signal,
    });
    // Leaves once the container has the request, whatever the machine's load.
    await upstream.until((stub) => stub.received.length > 0, 10_000);
    client.abort();
    await expect(call).rejects.toThrow();
    await upstream.until((stub) => stub.abandoned > 0);
    // Well before the 5 s timeout: the call was cancelled, not timed out.
    expect(upstream.abandoned).toBe(1);
    expect(upstream.received).toHaveLength(1);
    expect(passedOn).toEqual([]);
    // A client leaving says nothing about the container.
    expect(gateway.connection.current?.analyzer.upstreamCircuit).toBe('closed');
  });

  it('answers 200 whichever 2xx the container chose, as the route does', async () => {
    await verifier(SERVICE_TOKEN);
    upstream.behaviour = 'created-201';
    const answer = await post(valid);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-docuthinker-served-by')).toBe('upstream');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(passedOn).toEqual([]);
  });

  it.each([
    ['another content type', { 'content-type': 'text/plain' }],
    // The route refuses it with 415: the type has words after it, not parameters.
    ['a content type with words after it', { 'content-type': 'application/json garbage' }],
    ['a body over the limit', {}, 'x'.repeat(5000)],
    ['an unknown token', { authorization: 'Bearer not-the-token' }],
    ['the service token with characters added', { authorization: `Bearer ${SERVICE_TOKEN}!!!` }],
    ['no token', { authorization: '' }],
    // A browser's: the route adds its CORS headers.
    ['a request with an Origin', { origin: 'https://app.example.com' }],
  ])('passes %s on unread', async (_case, headers: Record<string, string>, body = valid) => {
    await verifier(SERVICE_TOKEN);
    expect((await post(body, headers)).status).toBe(299);
    expect(passedOn).toEqual([{ url: GATEWAY_API.analyze, handedOver: undefined }]);
    expect(upstream.received).toHaveLength(0);
  });

  it('passes other routes and methods on', async () => {
    await verifier(SERVICE_TOKEN);
    const other = await fetch(`${url}${GATEWAY_API.analyze}?x=1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SERVICE_TOKEN}`, 'content-type': 'application/json' },
      body: valid,
    });
    expect(other.status).toBe(299);
    expect((await fetch(`${url}${GATEWAY_API.analyze}`)).status).toBe(299);
    expect(passedOn.map((request) => request.handedOver)).toEqual([undefined, undefined]);
  });
});
