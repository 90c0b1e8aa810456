import { ApiClient, eventually, expectProblem, uniqueEmail } from './support/api-client';
import { startFakeGateway, type FakeGateway } from './support/fake-gateway';
import {
  ALLOWED_ORIGIN,
  SERVICE_TOKEN,
  startBackend,
  type RunningBackend,
} from './support/start-backend';
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type AddressInfo } from 'node:net';
import { temporaryDirectories } from '@docuthinker/testing';
import express from 'express';
import helmet from 'helmet';
import { DEFAULT_DOCUMENT_LIMITS } from '@docuthinker/documents';
import { API_OPERATIONS } from '../src/api/api-operations';

describe('meta routes and HTTP hygiene', () => {
  let gateway: FakeGateway;
  let backend: RunningBackend;
  let api: ApiClient;
  const scratchDirs = temporaryDirectories('ready-');

  beforeAll(async () => {
    gateway = await startFakeGateway(SERVICE_TOKEN);
    backend = await startBackend({ gatewayUrl: gateway.url });
    api = new ApiClient(backend.url);
  });
  afterAll(async () => {
    await backend.close();
    await gateway.stop();
    scratchDirs.removeAll();
  });

  /** The backend's log lines holding `requestId`, parsed, once there is one. */
  const logLinesOf = (requestId: string) =>
    eventually(async () => {
      const matching = backend
        .logs()
        .split('\n')
        .filter((line) => line.includes(requestId))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      return matching.length > 0 ? matching : undefined;
    });

  /** The backend's first log line holding `text` (a request id), once it is written. */
  const logLineWith = (text: string) =>
    eventually(async () =>
      backend
        .logs()
        .split('\n')
        .find((candidate) => candidate.includes(text)),
    );

  it('reports readiness of the data and file stores', async () => {
    const ready = await api.get<{
      status: string;
      dependencies: Record<string, { status: string }>;
    }>('/ready');
    expect(ready.status).toBe(200);
    expect(Object.keys(ready.body.dependencies).sort()).toEqual(['data:libsql', 'files:local']);
  });

  it("names a failing store's error inside the network, and only up or down through the load balancer", async () => {
    // A file where the documents directory should be: the file store cannot be written.
    const blocked = join(scratchDirs.create(), 'not-a-directory');
    writeFileSync(blocked, '');
    const broken = await startBackend({
      gatewayUrl: gateway.url,
      stores: { localDocumentsDir: blocked },
    });
    try {
      const inside = await fetch(`${broken.url}/ready`);
      expect(inside.status).toBe(503);
      const report = (await inside.json()) as {
        dependencies: Record<string, { status: string; detail?: string }>;
      };
      expect(report.dependencies['files:local']).toMatchObject({
        status: 'down',
        detail: expect.stringContaining('not-a-directory'),
      });

      const outside = await fetch(`${broken.url}/ready`, {
        headers: { 'x-forwarded-for': '203.0.113.7' },
      });
      expect(outside.status).toBe(503);
      const text = await outside.text();
      expect(JSON.parse(text)).toEqual({
        status: 'unavailable',
        dependencies: {
          'data:libsql': { status: 'up', latencyMs: expect.any(Number) },
          'files:local': { status: 'down', latencyMs: expect.any(Number) },
        },
      });
      expect(text).not.toContain('not-a-directory');
    } finally {
      await broken.close();
    }
  });

  it('serves Prometheus metrics with request durations by route pattern', async () => {
    const user = await api.registerUser(uniqueEmail('metrics'));
    await user.get('/api/documents');
    await user.get('/api/documents/some-id');
    const metrics = await api.get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(metrics.text).toContain('process_cpu_seconds_total');
    expect(metrics.text).toMatch(
      /docuthinker_backend_http_request_duration_seconds_count\{method="GET",route="\/api\/documents",status_code="200"\} \d+/,
    );
    expect(metrics.text).toContain('route="/api/documents/:id"');
    expect(metrics.text).not.toContain('some-id');
    expect(metrics.text).toMatch(/docuthinker_outbox_pending_jobs\{kind="index"\} \d+/);
  });

  it('keeps metrics from requests that came through the load balancer, whatever the case of the path', async () => {
    for (const path of ['/metrics', '/Metrics', '/metrics/']) {
      const answer = await fetch(`${backend.url}${path}`, {
        headers: { 'x-forwarded-for': '203.0.113.7' },
      });
      expect({ path, status: answer.status }).toEqual({ path, status: 404 });
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await answer.text()).not.toContain('process_cpu_seconds_total');
    }
  });

  it('generates /openapi.json from the route schemas', async () => {
    const answer = await api.get<{
      openapi: string;
      paths: Record<
        string,
        Record<
          string,
          {
            requestBody?: {
              required: boolean;
              content: Record<
                string,
                { schema: { properties?: Record<string, unknown>; required?: string[] } }
              >;
            };
            responses: Record<
              string,
              {
                description?: string;
                content?: Record<string, unknown>;
                headers?: Record<string, unknown>;
              }
            >;
          }
        >
      >;
      components: { schemas: { Problem: { properties: { code: { examples: string[] } } } } };
    }>('/openapi.json');
    expect(answer.status).toBe(200);
    expect(answer.body.openapi).toBe('3.1.0');
    for (const operation of API_OPERATIONS) {
      expect(answer.body.paths[operation.path]?.[operation.method]).toBeDefined();
    }
    // The probes and metrics are routes of the service too, documented as the gateway's are.
    expect(Object.keys(answer.body.paths['/ready']?.['get']?.responses ?? {})).toEqual([
      '200',
      '503',
    ]);
    expect(answer.body.paths['/health']?.['get']).toBeDefined();
    expect(answer.body.paths['/metrics']?.['get']?.responses['200']?.content).toHaveProperty(
      'text/plain',
    );
    const register =
      answer.body.paths['/api/auth/register']?.['post']?.requestBody?.content['application/json']
        ?.schema;
    expect(register?.required?.sort()).toEqual(['email', 'password']);
    expect(
      Object.keys(answer.body.paths['/api/documents']?.['post']?.requestBody?.content ?? {}).sort(),
    ).toEqual(['application/json', 'multipart/form-data']);
    const paths = answer.body.paths;
    const file = paths['/api/documents/{id}/file']?.['get'];
    expect(Object.keys(file?.responses ?? {}).sort()).toEqual(['200', '302', '503', 'default']);
    expect(paths['/api/ai/{task}']?.['post']?.requestBody?.required).toBe(true);
    expect(paths['/api/documents/{id}/ai/{task}']?.['post']?.requestBody?.required).toBe(false);
    expect(
      Object.keys(paths['/api/documents/{id}/chat']?.['post']?.responses['200']?.content ?? {}),
    ).toEqual(['application/json', 'text/event-stream']);
    // Found in an exploratory test: the errors a client must handle, and
    // their Retry-After, were not in the document (only a default problem).
    const chatAnswers = paths['/api/documents/{id}/chat']?.['post']?.responses ?? {};
    expect(Object.keys(chatAnswers).sort()).toEqual([
      '200',
      '409',
      '413',
      '415',
      '429',
      '501',
      '502',
      '503',
      'default',
    ]);
    expect(chatAnswers['409']?.headers).toHaveProperty('Retry-After');
    expect(chatAnswers['409']?.content).toHaveProperty('application/problem+json');
    // Found in a later one: the account routes still listed none of theirs.
    const answersOf = (path: string, method: string) =>
      Object.keys(paths[path]?.[method]?.responses ?? {}).sort();
    // Review: every JSON body may meet the parser's 413 and 415, every AI call the gateway's 502.
    expect(answersOf('/api/auth/register', 'post')).toEqual([
      '201',
      '409',
      '413',
      '415',
      '429',
      '503',
      'default',
    ]);
    expect(answersOf('/api/auth/login', 'post')).toEqual([
      '200',
      '413',
      '415',
      '429',
      '503',
      'default',
    ]);
    expect(answersOf('/api/me', 'patch')).toEqual(['200', '413', '415', '503', 'default']);
    expect(answersOf('/api/me/password', 'put')).toEqual([
      '204',
      '403',
      '413',
      '415',
      '429',
      '503',
      'default',
    ]);
    expect(answersOf('/api/me', 'delete')).toEqual(['204', '503', 'default']);
    expect(answersOf('/api/documents/search', 'get')).toEqual([
      '200',
      '304',
      '429',
      '502',
      '503',
      'default',
    ]);
    expect(answersOf('/api/documents/{id}', 'patch')).toEqual([
      '200',
      '413',
      '415',
      '429',
      '503',
      'default',
    ]);
    expect(paths['/api/auth/login']?.['post']?.responses['429']?.headers).toHaveProperty(
      'Retry-After',
    );
    // Review: a database out of reach is 503 on every operation; one status, its cases joined.
    const accountDeletion = paths['/api/me']?.['delete']?.responses['503'];
    expect(accountDeletion?.description).toMatch(
      /the file store is down.*DT_ERR_STORAGE_UNAVAILABLE: the database/,
    );
    expect(paths['/api/auth/login']?.['post']?.responses['503']?.headers).toHaveProperty(
      'Retry-After',
    );
    // Found in another: a deployment without the vector index (501) and a
    // body past the parser's limit (413) were answered and not listed.
    expect(answersOf('/api/ask', 'post')).toEqual([
      '200',
      '409',
      '413',
      '415',
      '429',
      '501',
      '502',
      '503',
      'default',
    ]);
    expect(answersOf('/api/ai/{task}', 'post')).toEqual([
      '200',
      '408',
      '413',
      '415',
      '429',
      '501',
      '502',
      '503',
      'default',
    ]);
    expect(paths['/api/auth/login']?.['post']?.responses['413']?.description).toMatch(
      /more than 10,000 values/,
    );
    expect(chatAnswers['501']?.description).toMatch(/^DT_ERR_FEATURE_DISABLED/);
    expect(paths['/api/ai/{task}']?.['post']?.responses['413']?.description).toMatch(
      /^DT_ERR_BODY_TOO_LARGE/,
    );
    // The upload's text limit, where its 413 begins, and the 413 of a JSON body.
    const upload = paths['/api/documents']?.['post'];
    const uploadText =
      upload?.requestBody?.content['application/json']?.schema.properties?.['text'];
    expect(uploadText).toEqual(
      expect.objectContaining({ maxLength: DEFAULT_DOCUMENT_LIMITS.maxTextChars }),
    );
    // Past the documented length, and within a byte limit that fits it (this suite's does not).
    const roomy = await startBackend({ gatewayUrl: gateway.url, maxUploadBytes: 8 * 1024 * 1024 });
    try {
      const user = await new ApiClient(roomy.url).registerUser(uniqueEmail('openapi'));
      const overLimit = await user.post('/api/documents', {
        title: 'One character too long',
        text: 'x'.repeat((uploadText as { maxLength: number }).maxLength + 1),
      });
      expectProblem(overLimit, 413, 'DT_ERR_FILE_TOO_LARGE');
    } finally {
      await roomy.close();
    }
    expect(upload?.responses['413']?.description).toEqual(
      expect.stringContaining(
        `longer than ${DEFAULT_DOCUMENT_LIMITS.maxTextChars.toLocaleString('en-US')} characters`,
      ),
    );
    expect(upload?.responses['413']?.description).toContain('DT_ERR_BODY_TOO_LARGE');
    // Headers a client reads: where the new document is, and the download's name.
    expect(upload?.responses['201']?.headers).toHaveProperty('Location');
    expect(file?.responses['200']?.headers).toHaveProperty('Content-Disposition');
    expect(register?.properties?.['email']).toEqual(
      expect.objectContaining({ format: 'email', maxLength: 254 }),
    );
    expect(answer.body.components.schemas.Problem.properties.code.examples).toEqual(
      expect.arrayContaining(['DT_ERR_DOCUMENT_NOT_INDEXED', 'DT_ERR_RATE_LIMITED']),
    );
  });

  it('serves Swagger UI and its assets locally, with no CDN reference', async () => {
    const redirect = await api.get('/api-docs');
    expect(redirect.status).toBe(301);
    const page = await api.get('/api-docs/');
    expect(page.status).toBe(200);
    expect(page.text).not.toMatch(/https?:\/\//);
    for (const asset of page.text.match(/(?:src|href)="\.\/([^"]+)"/g) ?? []) {
      const path = asset.replace(/^(src|href)="\.\//, '').replace(/"$/, '');
      const answer = await fetch(`${backend.url}/api-docs/${path}`);
      expect({ path, status: answer.status }).toEqual({ path, status: 200 });
      // Swagger UI's own files keep their hour in the browser's cache.
      if (!path.startsWith('docuthinker-')) {
        expect({ path, cache: answer.headers.get('cache-control') }).toEqual({
          path,
          cache: 'public, max-age=3600',
        });
      }
    }
    const initializer = await api.get('/api-docs/docuthinker-initializer.js');
    expect(initializer.text).toContain("url: '/openapi.json'");
    expect(initializer.text).toContain('validatorUrl: null');
  });

  // The whole swagger-ui-dist directory was served: its stock page, pointed
  // at the petstore example, and its package.json, naming the version.
  it('serves only the Swagger UI files its page loads', async () => {
    for (const path of ['index.html', 'swagger-initializer.js', 'package.json', 'README.md']) {
      const answer = await fetch(`${backend.url}/api-docs/${path}`);
      expect({ path, status: answer.status }).toEqual({ path, status: 404 });
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
  });

  it('sets helmet’s security headers', async () => {
    const answer = await api.get('/health');
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(answer.headers.get('strict-transport-security')).toMatch(/max-age=/);
    expect(answer.headers.get('x-powered-by')).toBeNull();
  });

  it('sets every header helmet itself sets, with its value, on every kind of answer', async () => {
    const reference = express().use(helmet(), (_req, res) => {
      res.end();
    });
    const server = reference.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    const helmetHeaders = [...(await fetch(`http://127.0.0.1:${port}/`)).headers].filter(
      ([name]) => !['connection', 'content-length', 'date', 'keep-alive'].includes(name),
    );
    await new Promise((resolve) => server.close(resolve));
    expect(helmetHeaders.length).toBeGreaterThan(10);

    const user = await api.registerUser(uniqueEmail('helmet'));
    for (const answer of [
      await api.get('/health'),
      await user.get('/api/documents'),
      await api.get('/api/documents'),
      await api.get('/nowhere'),
    ]) {
      for (const [name, value] of helmetHeaders) {
        expect({ name, value: answer.headers.get(name) }).toEqual({ name, value });
      }
    }
  });

  it('routes every documented operation, matching paths case-insensitively as Express does', async () => {
    const user = await api.registerUser(uniqueEmail('routes'));
    const concrete = (path: string) =>
      path.replace('{task}', 'summary').replace(/\{[A-Za-z]+\}/g, () => randomUUID());
    // Deleting the account goes last: the calls after it would only be refused.
    const operations = [...API_OPERATIONS].sort(
      (a, b) =>
        Number(a.method === 'delete' && a.path === '/api/me') -
        Number(b.method === 'delete' && b.path === '/api/me'),
    );
    for (const operation of operations) {
      const caller = operation.authenticated ? user : api;
      const answer = await caller.request(
        operation.method.toUpperCase(),
        concrete(operation.path),
        operation.method === 'get' ? {} : { json: {} },
      );
      const code = (answer.body as { code?: string } | undefined)?.code;
      expect({ operation: `${operation.method} ${operation.path}`, code }).not.toEqual({
        operation: `${operation.method} ${operation.path}`,
        code: 'DT_ERR_ROUTE_NOT_FOUND',
      });
    }
    const other = await api.registerUser(uniqueEmail('routes-case'));
    expect((await other.get('/API/Documents')).status).toBe(200);
    expect((await other.get('/api/documents/')).status).toBe(200);
    expect((await api.get('/HEALTH')).status).toBe(200);
    expectProblem(await other.get('/api/documentsx'), 404, 'DT_ERR_ROUTE_NOT_FOUND');
    expectProblem(await api.get('/healthz'), 404, 'DT_ERR_ROUTE_NOT_FOUND');
  });

  // Found in an exploratory test: JSON reads answer 304 to a matching
  // If-None-Match, and /openapi.json said nothing of it.
  it('documents the ETag of every JSON read and its 304, as they answer', async () => {
    const document = (await api.get('/openapi.json')).body as {
      paths: Record<
        string,
        Record<
          string,
          {
            parameters: { name: string; in: string }[];
            responses: Record<string, { headers?: Record<string, unknown> }>;
          }
        >
      >;
    };
    const user = await api.registerUser(uniqueEmail('etag'));
    const reads = API_OPERATIONS.filter(
      (operation) => operation.method === 'get' && operation.response !== undefined,
    );
    expect(reads.length).toBeGreaterThan(3);
    for (const operation of reads) {
      const documented = document.paths[operation.path]?.get;
      expect({ path: operation.path, statuses: Object.keys(documented?.responses ?? {}) }).toEqual({
        path: operation.path,
        statuses: expect.arrayContaining(['200', '304']),
      });
      expect(documented?.responses['200']?.headers).toHaveProperty('ETag');
      expect(documented?.parameters).toContainEqual(
        expect.objectContaining({ name: 'If-None-Match', in: 'header' }),
      );
      if (operation.path.includes('{')) continue;
      const caller = operation.authenticated ? user : api;
      // The one read with a required query: search.
      const url = operation.query?.shape['q'] ? `${operation.path}?q=notes` : operation.path;
      const first = await caller.get(url);
      const etag = first.headers.get('etag');
      expect({ path: operation.path, etag }).toEqual({
        path: operation.path,
        etag: expect.stringMatching(/^W\/"/),
      });
      const again = await caller.get(url, {
        'if-none-match': etag ?? '',
        'cache-control': 'max-age=0',
      });
      expect({ path: operation.path, status: again.status }).toEqual({
        path: operation.path,
        status: 304,
      });
    }
  });

  it('logs one line per request with its id and status, and none for /health', async () => {
    const requestId = `log-check-${randomUUID()}`;
    const answer = await api.get('/api/documents', { 'x-request-id': requestId });
    expect(answer.headers.get('x-request-id')).toBe(requestId);
    await api.get('/health', { 'x-request-id': `${requestId}-health` });
    const lines = await logLinesOf(requestId);
    expect(lines).toEqual([
      expect.objectContaining({
        msg: 'request completed',
        req: { id: requestId, method: 'GET', url: '/api/documents', route: '/api/documents/*' },
        res: { statusCode: 401 },
      }),
    ]);
  });

  // Found in an exploratory test: a JSON body cut by the drain timeout (or a
  // client that left mid-body) was logged with a 400 no one was sent.
  it('logs a request whose body never came whole as aborted, with no status', async () => {
    const user = await api.registerUser(uniqueEmail('log-cut'));
    const requestId = `log-cut-${randomUUID()}`;
    const { port } = new URL(backend.url);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `PATCH /api/me HTTP/1.1\r\nHost: x\r\nx-request-id: ${requestId}\r\n` +
        `Authorization: Bearer ${user.token ?? ''}\r\nContent-Type: application/json\r\n` +
        'Content-Length: 1000\r\n\r\n{"theme":',
    );
    // Time for the route to start reading the body.
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.destroy();
    const lines = await logLinesOf(requestId);
    expect(lines).toEqual([expect.objectContaining({ msg: 'request aborted' })]);
    expect(lines[0]).not.toHaveProperty('res');
  });

  it('names the route pattern that answered in the line, not the id in its URL', async () => {
    const user = await api.registerUser(uniqueEmail('log-route'));
    const requestId = `log-route-${randomUUID()}`;
    const answer = await user.get('/api/documents/no-such-document', { 'x-request-id': requestId });
    expect(answer.status).toBe(404);
    const line = await logLineWith(requestId);
    expect(JSON.parse(line)).toEqual(
      expect.objectContaining({
        req: {
          id: requestId,
          method: 'GET',
          url: '/api/documents/no-such-document',
          route: '/api/documents/:id',
        },
      }),
    );
  });

  it('tells caches to keep no answer: user data, tokens and the cached listing alike', async () => {
    const email = uniqueEmail('no-store');
    const user = await api.registerUser(email);
    const login = await api.request('POST', '/api/auth/login', {
      json: { email, password: 'correct horse battery' },
    });
    expect(login.status).toBe(200);
    const created = await user.post<{ id: string }>('/api/documents', {
      title: 'Private',
      text: 'A private note about quokkas.',
    });
    const answers = [
      login,
      await user.get('/api/me'),
      await user.get(`/api/documents/${created.body.id}`),
      // The first fills the listing cache, the second is answered from it ahead of Express.
      await user.get('/api/documents'),
      await user.get('/api/documents'),
      await api.get('/api/documents'),
    ];
    expect(answers.map((answer) => answer.headers.get('cache-control'))).toEqual(
      answers.map(() => 'no-store'),
    );
    // A download keeps its own.
    const file = await fetch(`${backend.url}/api/documents/${created.body.id}/file`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    expect(file.headers.get('cache-control')).toBe('private, no-store');
  });

  const refusedBeforeRouting: Array<{
    refused: string;
    method: string;
    path: string;
    headers: Record<string, string>;
    body?: string;
    status: number;
    area: string;
  }> = [
    {
      refused: 'for its credentials',
      method: 'GET',
      path: '/API/Documents/some-id',
      headers: { authorization: 'Bearer not-a-token' },
      status: 401,
      area: '/api/documents/*',
    },
    {
      refused: 'for its body',
      method: 'POST',
      path: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      body: '{"email": ',
      status: 400,
      area: '/api/auth/*',
    },
  ];
  it.each(refusedBeforeRouting)(
    'names the area of an API call refused $refused before routing, in its line and its metric',
    async ({ method, path, headers, body, status, area }) => {
      const requestId = `log-refused-${randomUUID()}`;
      const answer = await fetch(`${backend.url}${path}`, {
        method,
        body,
        headers: { ...headers, 'x-request-id': requestId },
      });
      expect(answer.status).toBe(status);
      const line = await logLineWith(requestId);
      expect(JSON.parse(line)).toEqual(
        expect.objectContaining({ req: expect.objectContaining({ id: requestId, route: area }) }),
      );
      const metrics = await api.get('/metrics');
      expect(metrics.text).toContain(
        `docuthinker_backend_http_request_duration_seconds_count{method="${method}",route="${area}",status_code="${status}"}`,
      );
    },
  );

  it('names no route in the line of a request no route answered, though one passed it on', async () => {
    // The /metrics route passes a request from the load balancer on to the 404.
    const requestId = `log-no-route-${randomUUID()}`;
    const answer = await fetch(`${backend.url}/metrics/`, {
      headers: { 'x-forwarded-for': '203.0.113.7', 'x-request-id': requestId },
    });
    expect(answer.status).toBe(404);
    const line = await logLineWith(requestId);
    expect(JSON.parse(line)).toEqual(
      expect.objectContaining({ req: { id: requestId, method: 'GET', url: '/metrics/' } }),
    );
  });

  it("takes the load balancer's trace root as the request id when the caller sent none", async () => {
    const root = `1-${randomBytes(4).toString('hex')}-${randomBytes(12).toString('hex')}`;
    const answer = await api.get('/api/documents', { 'x-amzn-trace-id': `Root=${root}` });
    expect(answer.headers.get('x-request-id')).toBe(root);
    const line = await logLineWith(root);
    expect(JSON.parse(line)).toEqual(
      expect.objectContaining({
        msg: 'request completed',
        req: expect.objectContaining({ id: root }),
      }),
    );
  });

  // Found in review: the line held the whole URL, so users' search text reached the logs.
  it("logs a request's query by its parameters' names, not their values", async () => {
    const requestId = `log-query-${randomUUID()}`;
    await api.get('/api/documents/search?q=alice%20medical%20diagnosis&mode=content', {
      'x-request-id': requestId,
    });
    const line = await logLineWith(requestId);
    expect(line).not.toContain('medical');
    expect(JSON.parse(line)).toEqual(
      expect.objectContaining({
        msg: 'request completed',
        req: {
          id: requestId,
          method: 'GET',
          url: '/api/documents/search?q&mode',
          // Refused for want of a token: the area it was meant for.
          route: '/api/documents/*',
        },
      }),
    );
  });

  it('allows CORS only for configured origins', async () => {
    const allowed = await api.request('OPTIONS', '/api/documents', {
      headers: {
        origin: ALLOWED_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    const denied = await api.request('OPTIONS', '/api/documents', {
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
  });

  // Found in an exploratory test: a front end on another origin could not
  // read a download's file name, nor where a created document lives.
  it('lets an allowed origin read the headers its answers carry for it', async () => {
    const answer = await api.get('/api/documents', { origin: ALLOWED_ORIGIN });
    const exposed = (answer.headers.get('access-control-expose-headers') ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase());
    expect(exposed).toEqual(
      expect.arrayContaining([
        'content-disposition',
        'location',
        'x-request-id',
        'retry-after',
        'etag',
      ]),
    );
  });

  // Found in review: the README's compressed JSON bodies, and revalidating a
  // document by its ETag, were refused by the browser's preflight.
  it('lets an allowed origin send a compressed JSON body and revalidate by ETag', async () => {
    const preflight = await api.request('OPTIONS', '/api/documents', {
      headers: {
        origin: ALLOWED_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers':
          'authorization,content-type,content-encoding,if-none-match',
      },
    });
    expect(preflight.status).toBe(204);
    const allowed = (preflight.headers.get('access-control-allow-headers') ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase());
    expect(allowed).toEqual(
      expect.arrayContaining([
        'authorization',
        'content-type',
        'content-encoding',
        'if-none-match',
      ]),
    );
  });

  // Found in review: a method a path is not served with was answered 404,
  // as if the path did not exist.
  it('answers a path with a method it is not served with 405, naming the methods it is', async () => {
    const user = await api.registerUser(uniqueEmail('wrong-method'));
    for (const [method, path, allow] of [
      ['PUT', '/api/auth/login', 'POST'],
      ['POST', '/api/documents/some-id', 'DELETE, GET, HEAD, PATCH'],
      ['PUT', '/API/Chat/Sessions', 'GET, HEAD'],
      ['DELETE', '/health', 'GET, HEAD'],
    ] as const) {
      const answer = await user.request(method, path, {});
      expectProblem(answer, 405, 'DT_ERR_METHOD_NOT_ALLOWED');
      expect({ method, path, allow: answer.headers.get('allow') }).toEqual({ method, path, allow });
    }
    // Found in review: OPTIONS got Express's 200 text/plain with a token, a
    // 401 without, and 204 from the cors package with origins configured.
    for (const client of [user, api]) {
      for (const headers of [{}, { origin: ALLOWED_ORIGIN }] as Record<string, string>[]) {
        const answer = await client.request('OPTIONS', '/api/documents', { headers });
        expectProblem(answer, 405, 'DT_ERR_METHOD_NOT_ALLOWED');
        expect(answer.headers.get('allow')).toBe('DELETE, GET, HEAD, POST');
      }
    }
    expectProblem(await api.request('OPTIONS', '/nowhere', {}), 404, 'DT_ERR_ROUTE_NOT_FOUND');
    expectProblem(await user.request('PUT', '/api/nowhere', {}), 404, 'DT_ERR_ROUTE_NOT_FOUND');
    // With a trailing slash, which some routes refuse (exactPathOnly): 404.
    expectProblem(await user.request('PUT', '/api/documents/', {}), 404, 'DT_ERR_ROUTE_NOT_FOUND');
  });

  it('answers unknown routes and unauthenticated API calls with problem+json', async () => {
    expectProblem(await api.get('/nowhere'), 404, 'DT_ERR_ROUTE_NOT_FOUND');
    expectProblem(await api.get('/api/documents'), 401, 'DT_ERR_UNAUTHENTICATED');
    expectProblem(await api.post('/api/ask', { question: 'x' }), 401, 'DT_ERR_UNAUTHENTICATED');
  });
});
