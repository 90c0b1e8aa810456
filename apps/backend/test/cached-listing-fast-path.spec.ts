import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServiceLogger } from '@docuthinker/runtime';
import { createStores, type Stores } from '@docuthinker/stores';
import { Registry } from 'prom-client';
import { createAccessTokens } from '../src/auth/access-tokens';
import { LiveAccounts } from '../src/auth/live-accounts';
import { createGatewayClient } from '../src/gateway/gateway-client';
import { HttpMetrics } from '../src/middleware/http-metrics';
import { securityHeadersWithoutOrigin } from '../src/middleware/security-headers';
import { withCachedListing } from '../src/routes/documents/cached-listing-fast-path';
import { EncodedJsonBodies } from '../src/routes/documents/encoded-json-bodies';
import { DocumentCache } from '../src/services/document-cache';
import { DocumentService } from '../src/services/document-service';
import { ApiClient, eventually, uniqueEmail } from './support/api-client';
import { startFakeGateway, type FakeGateway } from './support/fake-gateway';
import {
  ALLOWED_ORIGIN,
  JWT_SECRET,
  SERVICE_TOKEN,
  startBackend,
  type RunningBackend,
} from './support/start-backend';

/** Headers that differ between any two answers, whoever writes them. */
const PER_RESPONSE = new Set(['date', 'x-request-id', 'connection', 'keep-alive']);

function stableHeaders(headers: Headers): Record<string, string> {
  return Object.fromEntries([...headers].filter(([name]) => !PER_RESPONSE.has(name)));
}

describe('GET /api/documents from the cache, before Express', () => {
  let gateway: FakeGateway;
  let backend: RunningBackend;
  let user: ApiClient;

  beforeAll(async () => {
    gateway = await startFakeGateway(SERVICE_TOKEN);
    backend = await startBackend({ gatewayUrl: gateway.url });
    user = await new ApiClient(backend.url).registerUser(uniqueEmail('fast-list'));
    for (const title of ['First', 'Second', 'Third']) {
      const created = await user.post('/api/documents', { title, text: `${title} text.` });
      expect(created.status).toBe(201);
    }
    // The outbox indexes in the background and each change empties the cache:
    // settle first, so the answers compared below are of the same listing.
    await eventually(async () => {
      const listed = await user.get<{ items: { indexStatus: string }[] }>('/api/documents');
      return listed.body.items.every((item) => item.indexStatus === 'indexed') || undefined;
    });
  });
  afterAll(async () => {
    await backend.close();
    await gateway.stop();
  });

  it('answers exactly as the Express route does: status, headers and bytes', async () => {
    const missed = await user.get('/api/documents?limit=2'); // Express renders and caches it
    // A condition Express ignores here (nothing has a Last-Modified) keeps
    // this request on the Express route although the page is cached now.
    const throughExpress = await user.get('/api/documents?limit=2', {
      'if-modified-since': 'Thu, 01 Jan 1970 00:00:00 GMT',
    });
    const fromCache = await user.get('/api/documents?limit=2');
    expect(missed.status).toBe(200);
    for (const answer of [throughExpress, fromCache]) {
      expect(answer.status).toBe(200);
      expect(answer.text).toBe(missed.text);
      expect(stableHeaders(answer.headers)).toEqual(stableHeaders(missed.headers));
      expect(answer.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(stableHeaders(fromCache.headers)).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'x-content-type-options': 'nosniff',
      vary: 'Origin',
    });
    expect(fromCache.headers.get('etag')).toBeTruthy();
    const listed = JSON.parse(fromCache.text) as { items: { title: string }[] };
    expect(listed.items.map((item) => item.title)).toEqual(['Third', 'Second']);
  });

  it('echoes a usable request id and logs the request like Express', async () => {
    await user.get('/api/documents');
    const answer = await user.get('/api/documents', { 'x-request-id': 'fast-list-trace-1' });
    expect(answer.headers.get('x-request-id')).toBe('fast-list-trace-1');
    const line = backend
      .logs()
      .split('\n')
      .find((entry) => entry.includes('fast-list-trace-1'));
    expect(JSON.parse(line ?? '{}')).toMatchObject({
      msg: 'request completed',
      req: { id: 'fast-list-trace-1', method: 'GET', url: '/api/documents' },
      res: { statusCode: 200 },
    });
  });

  it('counts its answers in the same duration metric as Express', async () => {
    const listings = async () => {
      const metrics = await new ApiClient(backend.url).get('/metrics');
      const count =
        /docuthinker_backend_http_request_duration_seconds_count\{method="GET",route="\/api\/documents",status_code="200"\} (\d+)/.exec(
          metrics.text,
        );
      return Number(count?.[1] ?? 0);
    };
    await user.get('/api/documents');
    const before = await listings();
    await user.get('/api/documents');
    await user.get('/api/documents');
    expect((await listings()) - before).toBe(2);
  });

  it('shows a change at once: a write empties the cached pages', async () => {
    await user.get('/api/documents');
    await user.post('/api/documents', { title: 'Fourth', text: 'Fourth text.' });
    const listed = await user.get<{ items: { title: string }[] }>('/api/documents');
    expect(listed.body.items[0]?.title).toBe('Fourth');
  });

  it("answers a CORS request through Express, with the origin's headers", async () => {
    await user.get('/api/documents');
    const answer = await user.get('/api/documents', { origin: ALLOWED_ORIGIN });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
  });

  it('leaves refusals to Express: a bad query, a bad token, another route', async () => {
    await user.get('/api/documents');
    expect((await user.get('/api/documents?limit=0')).status).toBe(400);
    // Decimal digits only (coercion read these as 16 and 10).
    expect((await user.get('/api/documents?limit=0x10')).status).toBe(400);
    expect((await user.get('/api/documents/search?q=x&limit=1e1')).status).toBe(400);
    expect((await user.get('/api/documents?limit=2&extra=1')).status).toBe(400);
    expect((await user.as('not-a-token').get('/api/documents')).status).toBe(401);
    expect((await new ApiClient(backend.url).get('/api/documents')).status).toBe(401);
    expect((await user.get('/api/documentsX')).status).toBe(404);
  });
});

/** Which requests the fast path answers itself, with `app` standing in for Express. */
describe('withCachedListing', () => {
  let dataDir: string;
  let stores: Stores;
  let server: Server;
  let url: string;
  let documentCache: DocumentCache;
  let live: LiveAccounts;
  let ownerId: string;
  let token: string;
  const passedOn: string[] = [];
  const tokens = createAccessTokens(JWT_SECRET);

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'dt-fast-list-'));
    stores = await createStores({ dataDir });
    documentCache = new DocumentCache(stores.cache);
    live = new LiveAccounts(stores.users);
    const documents = new DocumentService(
      stores,
      documentCache,
      createGatewayClient({ baseUrl: 'http://127.0.0.1:9', serviceToken: SERVICE_TOKEN }),
      {
        maxUploadBytes: 1024,
        extractor: { extract: () => Promise.reject(new Error('unused')) },
        onOutboxWork: () => undefined,
      },
    );
    const express: RequestListener = (req, res) => {
      passedOn.push(`${req.method} ${req.url}`);
      res.writeHead(299).end();
    };
    const listener = withCachedListing(express, {
      tokens,
      accounts: live,
      documents,
      bodies: new EncodedJsonBodies(() => '"etag"'),
      fixedHeaders: securityHeadersWithoutOrigin([ALLOWED_ORIGIN]),
      metrics: new HttpMetrics(new Registry()),
      logger: createServiceLogger({ service: 'test', level: 'silent', secretValues: [] }),
    });
    server = createServer(listener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    ownerId = (await stores.users.create({ email: uniqueEmail('fast'), passwordHash: 'x' })).id;
    token = (await tokens.issue(ownerId)).accessToken;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await stores.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function get(path: string, headers: Record<string, string> = {}) {
    passedOn.length = 0;
    const response = await fetch(`${url}${path}`, { headers });
    return { status: response.status, text: await response.text(), passedOn: [...passedOn] };
  }
  const bearer = () => ({ authorization: `Bearer ${token}` });
  const warmEmptyPage = () =>
    documentCache.renderedPage(
      ownerId,
      20,
      undefined,
      async () => '{"items":[],"nextCursor":null}',
    );

  it('answers only a warm page for a token and account it has already checked', async () => {
    // Not yet verified, not yet confirmed, nothing cached: all Express's.
    expect((await get('/api/documents', bearer())).passedOn).toEqual(['GET /api/documents']);
    await tokens.verify(token);
    expect((await get('/api/documents', bearer())).passedOn).toHaveLength(1);
    await live.accepts({ userId: ownerId, issuedAtSeconds: Math.floor(Date.now() / 1000) });
    expect((await get('/api/documents', bearer())).passedOn).toHaveLength(1); // cache miss
    await warmEmptyPage();
    expect(await get('/api/documents', bearer())).toEqual({
      status: 200,
      text: '{"items":[],"nextCursor":null}',
      passedOn: [],
    });
    // The default limit and an explicit 20 are the same page.
    expect((await get('/api/documents?limit=20', bearer())).passedOn).toEqual([]);
  });

  it.each([
    ['another page', '/api/documents?limit=5', {}],
    ['an invalid query', '/api/documents?limit=abc', {}],
    ['an unknown parameter', '/api/documents?limit=20&x=1', {}],
    ['another path', '/api/documents/abc', {}],
    ['a longer path', '/api/documentsabc', {}],
    ['a CORS request', '/api/documents', { origin: ALLOWED_ORIGIN }],
    ['a conditional request', '/api/documents', { 'if-none-match': '"etag"' }],
    ['another token', '/api/documents', { authorization: 'Bearer other' }],
  ])('passes %s on to Express', async (_case, path, extra: Record<string, string>) => {
    await warmEmptyPage();
    const answer = await get(path, { ...bearer(), ...extra });
    expect(answer.status).toBe(299);
    expect(answer.passedOn).toEqual([`GET ${path}`]);
  });

  it('passes the request on once the account is gone', async () => {
    await warmEmptyPage();
    live.forget(ownerId);
    expect((await get('/api/documents', bearer())).passedOn).toEqual(['GET /api/documents']);
    await live.accepts({ userId: ownerId, issuedAtSeconds: Math.floor(Date.now() / 1000) });
  });
});
