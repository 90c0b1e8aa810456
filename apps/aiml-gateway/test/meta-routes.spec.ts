import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GATEWAY_API } from '@docuthinker/contracts';
import { ProviderError } from '@docuthinker/ai-engine';
import { GATEWAY_ERRORS } from '../src/errors';
import { StubUpstream } from './support/stub-upstream';
import { startTestGateway, type TestGateway } from './support/test-gateway';

describe('meta routes', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.close());

  const get = (url: string) => gateway.app.inject({ method: 'GET', url });

  it('reports each index and each provider circuit in /ready', async () => {
    const response = await get('/ready');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      status: 'ready',
      dependencies: {
        'vector-index': { state: 'up', adapter: 'libsql' },
        'knowledge-graph': { state: 'up', adapter: 'libsql' },
      },
      providers: [{ provider: 'local', model: expect.any(String), state: 'closed' }],
      aiCallCounters: { adapter: 'memory', state: 'up' },
    });
  });

  it('reports a switched-off index as disabled, and is still ready', async () => {
    const noGraph = await startTestGateway({ engine: { syncGraph: false } });
    try {
      const response = await noGraph.app.inject({ method: 'GET', url: '/ready' });
      expect(response.statusCode).toBe(200);
      expect(response.json().dependencies['knowledge-graph']).toEqual({ state: 'disabled' });
      const entities = await noGraph.service({
        method: 'GET',
        url: `${GATEWAY_API.entities}?ownerId=o`,
      });
      expect(entities.statusCode).toBe(409);
      expect(entities.json().code).toBe('DT_ERR_INDEX_DISABLED');
      // /analyze's sync says so too, whether or not the request names a document.
      for (const metadata of [undefined, { document_id: 'd', owner_id: 'o' }]) {
        const analysis = await noGraph.service({
          method: 'POST',
          url: GATEWAY_API.analyze,
          payload: { document: 'Quokkas are small marsupials of Rottnest Island.', metadata },
        });
        expect(analysis.json().sync.graph).toBe('disabled');
      }
    } finally {
      await noGraph.close();
    }
  });

  it('answers 503 with the reason when an enabled index is down', async () => {
    const broken = await startTestGateway();
    await broken.engine.vectorIndex?.close();
    try {
      const response = await broken.app.inject({ method: 'GET', url: '/ready' });
      expect(response.statusCode).toBe(503);
      const body = response.json();
      expect(body.status).toBe('unavailable');
      expect(body.dependencies['vector-index'].state).toBe('down');
      expect(body.detail).toMatch(/^vector-index: /);

      // From outside (the load balancer routes /ai/*): the verdict, not the reason.
      const outside = await broken.app.inject({ method: 'GET', url: '/ai/ready' });
      expect(outside.statusCode).toBe(503);
      expect(outside.json()).toEqual({
        status: 'unavailable',
        dependencies: {
          'vector-index': { state: 'down', adapter: 'libsql' },
          'knowledge-graph': { state: 'up', adapter: 'libsql' },
        },
      });
    } finally {
      await broken.close();
    }
  });

  it('answers /ai/ready without a token, 200 while every index answers, one probe a second', async () => {
    const readiness = jest.spyOn(gateway.engine, 'readiness');
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => gateway.app.inject({ method: 'GET', url: '/ai/ready' })),
    );
    expect(readiness).toHaveBeenCalledTimes(1);
    // The shared answer lasts a second, not for ever: a store that came back is seen.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await gateway.app.inject({ method: 'GET', url: '/ai/ready' })).statusCode).toBe(200);
    expect(readiness).toHaveBeenCalledTimes(2);
    readiness.mockRestore();
    const response = answers[0] as (typeof answers)[number];
    expect(answers.every((answer) => answer.statusCode === 200)).toBe(true);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      status: 'ready',
      dependencies: {
        'vector-index': { state: 'up', adapter: 'libsql' },
        'knowledge-graph': { state: 'up', adapter: 'libsql' },
      },
    });
  });

  it('exposes request, provider and circuit metrics for Prometheus', async () => {
    await gateway.service({
      method: 'POST',
      url: GATEWAY_API.task('summary'),
      payload: { text: 'Metrics count requests. They also count provider attempts.' },
    });
    await gateway.service({ method: 'POST', url: GATEWAY_API.task('nothing'), payload: {} });
    const response = await get('/metrics');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    const text = response.body;
    expect(text).toMatch(
      /docuthinker_gateway_http_request_duration_seconds_count\{method="POST",route="\/ai\/v1\/tasks\/:task",status_code="200"\} 1/,
    );
    expect(text).toMatch(/route="\/ai\/v1\/tasks\/:task",status_code="404"/);
    expect(text).toMatch(
      /docuthinker_gateway_provider_attempts_total\{provider="local",task="summary",outcome="success"\} 1/,
    );
    expect(text).toMatch(/docuthinker_gateway_circuit_state\{circuit="local"\} 0/);
    expect(text).toMatch(/docuthinker_gateway_process_cpu_seconds_total/);
  });

  it('counts a failing provider, and the task still answers from the offline engine, degraded', async () => {
    const failing = createServer((request, response) => {
      request.resume();
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end('{"error":{"message":"overloaded"}}');
    });
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    const { port } = failing.address() as AddressInfo;
    const chained = await startTestGateway({
      engine: {
        providers: ['openai', 'local'],
        providerKeys: { openai: 'sk-test' },
        providerBaseUrls: { openai: `http://127.0.0.1:${port}/v1` },
        // Generous: the stub answers 500 at once, and a first SDK request on a
        // loaded machine must not read as a timeout.
        resilience: { retries: 0, timeoutMs: 10_000 },
      },
    });
    try {
      const response = await chained.service({
        method: 'POST',
        url: GATEWAY_API.task('summary'),
        payload: { text: 'Providers fail. The chain falls through to the offline engine.' },
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual(
        expect.objectContaining({ provider: 'local', degraded: true }),
      );
      const metrics = (await chained.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toMatch(
        /docuthinker_gateway_provider_failures_total\{provider="openai",task="summary",outcome="failed"\} 1/,
      );
      expect(metrics).toMatch(/docuthinker_gateway_circuit_state\{circuit="openai"\} 0/);
      const ready = (await chained.app.inject({ method: 'GET', url: '/ready' })).json();
      expect(ready.providers.map((circuit: { provider: string }) => circuit.provider)).toEqual([
        'openai',
        'local',
      ]);
    } finally {
      await chained.close();
      failing.closeAllConnections();
      failing.close();
    }
  });

  it('documents every v1 route in /openapi.json from the contracts', async () => {
    const response = await get('/openapi.json');
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toBe('3.1.0');
    const operations = Object.entries(document.paths as Record<string, object>).flatMap(
      ([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations).toEqual(
      expect.arrayContaining([
        'POST /ai/v1/tasks/{task}',
        'POST /ai/v1/chat',
        'POST /ai/v1/index',
        'DELETE /ai/v1/index/{documentId}',
        'DELETE /ai/v1/index',
        'POST /ai/v1/search',
        'POST /ai/v1/ask',
        'GET /ai/v1/graph/documents/{documentId}/related',
        'GET /ai/v1/graph/entities',
        'POST /analyze',
        'GET /health',
        'GET /ready',
        'GET /ai/ready',
      ]),
    );
    const search = document.paths['/ai/v1/search'].post;
    expect(search.security).toEqual([{ bearer: [] }]);
    // Found in review: a task's output was documented as anything at all.
    const taskOperation = document.paths['/ai/v1/tasks/{task}'].post;
    const output =
      taskOperation.responses['200'].content['application/json'].schema.properties.output;
    expect(output.anyOf.map((shape: { title: string }) => shape.title)).toEqual([
      'summary, refine-summary',
      'key-ideas, discussion-points, bullet-summary, recommendations',
      'summary-in-language',
      'rewrite',
      'sentiment',
      'topics',
    ]);
    expect(output.anyOf[4]).toMatchObject({
      type: 'object',
      required: ['score', 'label', 'description'],
      properties: { score: { type: 'number', minimum: -1, maximum: 1 } },
    });
    const body = search.requestBody.content['application/json'].schema;
    // ownerId is the service's to name; a user token's subject is the owner.
    expect(body.required).toEqual(['query']);
    expect(body.properties.ownerId.description).toMatch(/service token/);
    expect(body.properties.k).toEqual(expect.objectContaining({ minimum: 1, maximum: 50 }));
    expect(body.additionalProperties).toBe(false);
    expect(search.responses['401'].content['application/problem+json']).toBeDefined();
    expect(Object.keys(search.responses)).toEqual(
      expect.arrayContaining(['200', '400', '401', '403', '413', '415', '500', '503']),
    );
    const task = document.paths['/ai/v1/tasks/{task}'].post;
    expect(Object.keys(task.responses)).toEqual(expect.arrayContaining(['404', '422', '501']));
    // Found by an exploratory test: an erasure under way (409) and the offline
    // engine's memory limit (422) were answered and not documented.
    expect(Object.keys(document.paths['/ai/v1/index'].post.responses)).toEqual(
      expect.arrayContaining(['409', '422', '502']),
    );
    expect(Object.keys(document.paths['/analyze'].post.responses)).toEqual(
      expect.arrayContaining(['403', '409', '422', '502']),
    );
    // Every code a client may meet, as examples (found by an exploratory test: none were listed).
    expect(document.components.schemas.Problem.properties.code.examples).toEqual(
      Object.keys(GATEWAY_ERRORS),
    );
    expect(Object.keys(GATEWAY_ERRORS)).toEqual(
      expect.arrayContaining([
        'DT_ERR_VALIDATION',
        'DT_ERR_OWNER_MISMATCH',
        'DT_ERR_TASK_UNSUPPORTED',
      ]),
    );
    // A path parameter over the router's length is 414 (framework-errors).
    for (const [path, method] of [
      ['/ai/v1/tasks/{task}', 'post'],
      ['/ai/v1/index/{documentId}', 'delete'],
      ['/ai/v1/graph/documents/{documentId}/related', 'get'],
    ] as const) {
      expect({ path, statuses: Object.keys(document.paths[path][method].responses) }).toEqual({
        path,
        statuses: expect.arrayContaining(['400', '414']),
      });
    }
    const taskAnswer = task.responses['200'].content['application/json'].schema;
    expect(taskAnswer.properties.notes).toBeDefined();
    expect(document.paths['/analyze'].post.responses['403']).toBeDefined();
    expect(document.paths['/ready'].get.responses['503']).toBeDefined();
    expect(Object.keys(document.paths['/ai/v1/chat'].post.responses['200'].content)).toEqual([
      'application/json',
      'text/event-stream',
    ]);
    // Found in an exploratory test: the events' data had no schema.
    const events = document.paths['/ai/v1/chat'].post.responses['200'].content['text/event-stream'];
    expect(Object.keys(events['x-events'])).toEqual(['delta', 'citations', 'done', 'error']);
    expect(events['x-events'].error.required).toEqual(
      expect.arrayContaining(['type', 'title', 'status', 'code']),
    );
    expect(events['x-events'].delta.required).toEqual(['text']);
    expect(events['x-events'].citations.properties.citations.type).toBe('array');
    expect(Object.keys(events['x-events'].done.properties)).toEqual(
      expect.arrayContaining(['reply', 'provider', 'model', 'degraded', 'documentIndexed']),
    );
    const entities = document.paths['/ai/v1/graph/entities'].get;
    expect(entities.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'ownerId', in: 'query' })]),
    );
    expect(document.paths['/health'].get.security).toEqual([]);
    expect(document.components.schemas.Problem.required).toEqual(
      expect.arrayContaining(['type', 'title', 'status', 'code']),
    );
  });

  // Found in an exploratory test: each of these was answered and not documented.
  it('documents the rule, headers and statuses the exploratory test found missing', async () => {
    const document = (await get('/openapi.json')).json();
    // The chat's rule on its last message, in the words and at the path it is refused with.
    const lastFromAssistant = await gateway.service({
      method: 'POST',
      url: GATEWAY_API.chat,
      payload: { ownerId: 'o', messages: [{ role: 'assistant', content: 'Hello.' }] },
    });
    const [refusal] = lastFromAssistant.json().errors;
    const chatBody = document.paths['/ai/v1/chat'].post.requestBody.content['application/json'];
    expect(chatBody.schema.properties.messages.description).toEqual(
      expect.stringContaining(`path: "${refusal.path}", message: "${refusal.message}"`),
    );
    // Every 429 and 503 problem is sent with Retry-After.
    const search = document.paths['/ai/v1/search'].post.responses;
    expect(search['429'].headers).toHaveProperty('Retry-After');
    expect(search['503'].headers).toHaveProperty('Retry-After');
    // A trickled body is cut with 408 wherever a body is read: a DELETE's too,
    // whose body the parser refuses (413, 415) before the route does (400).
    const statuses = (path: string, method: string) =>
      Object.keys(document.paths[path][method].responses);
    expect(statuses('/ai/v1/index', 'post')).toContain('408');
    expect(statuses('/ai/v1/chat', 'post')).toContain('408');
    for (const path of ['/ai/v1/index/{documentId}', '/ai/v1/index']) {
      expect({ path, statuses: statuses(path, 'delete') }).toEqual({
        path,
        statuses: expect.arrayContaining(['408', '413', '415']),
      });
    }
    // A query or body an API route does not take is refused on every one of them.
    const apiOperations = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations as Record<string, { security: unknown[]; responses: object }>)
        .filter(([, operation]) => operation.security.length > 0)
        .map(([method, operation]) => ({
          path,
          method,
          documents400: '400' in operation.responses,
        })),
    );
    expect(apiOperations.length).toBeGreaterThanOrEqual(10);
    for (const operation of apiOperations) expect(operation).toMatchObject({ documents400: true });
    // The meta routes' answers, and no engine problem where no engine call is made.
    const meta = (path: string) => document.paths[path].get.responses;
    expect(Object.keys(meta('/health')['200'].content)).toEqual(['application/json']);
    expect(Object.keys(meta('/ready')['200'].content)).toEqual(['application/json']);
    expect(Object.keys(meta('/ready')['503'].content)).toEqual(['application/json']);
    expect(Object.keys(meta('/ai/ready')['200'].content)).toEqual(['application/json']);
    expect(Object.keys(meta('/metrics')['200'].content)).toEqual(['text/plain']);
    for (const path of ['/health', '/ready', '/ai/ready', '/metrics']) {
      expect({ path, problem: meta(path)['500'].description }).toEqual({
        path,
        problem: GATEWAY_ERRORS.DT_ERR_INTERNAL.title,
      });
    }
    // Provoked: a DELETE with a body it does not take (400, as for a JSON one).
    const formBody = await gateway.service({
      method: 'DELETE',
      url: `${GATEWAY_API.index}/d?ownerId=o`,
      headers: { 'content-type': 'text/plain' },
      payload: 'ownerId=o',
    });
    expect({
      status: formBody.statusCode,
      documented:
        String(formBody.statusCode) in document.paths['/ai/v1/index/{documentId}'].delete.responses,
    }).toEqual({ status: 400, documented: true });
  });

  // Found in review: search, ask and chat answered 409 with the vector index
  // disabled, /analyze 502 on a container 4xx, index and vector search 502
  // on a refused embedding, and /openapi.json listed none of these.
  it('documents each problem status the routes answer, provoked here', async () => {
    const refusing = {
      model: 'refusing',
      dimensions: 384,
      embed: async () => {
        throw new ProviderError('openai', 'rejected', 'HTTP 400', 400);
      },
    };
    const upstream = await StubUpstream.start();
    upstream.behaviour = 'reject-422';
    const disabled = await startTestGateway({ engine: { syncVector: false, syncGraph: false } });
    const embedding = await startTestGateway({
      engine: { embedder: refusing, upstreamUrl: upstream.url },
    });
    try {
      const question = 'What orbits the sun?';
      const cases: Array<[TestGateway, 'GET' | 'POST', string, string, object?]> = [
        [disabled, 'POST', GATEWAY_API.search, '/ai/v1/search', { ownerId: 'o', query: 'sun' }],
        [disabled, 'POST', GATEWAY_API.ask, '/ai/v1/ask', { ownerId: 'o', question }],
        [
          disabled,
          'POST',
          GATEWAY_API.chat,
          '/ai/v1/chat',
          { ownerId: 'o', messages: [{ role: 'user', content: question }] },
        ],
        [
          disabled,
          'GET',
          `${GATEWAY_API.relatedDocuments('d')}?ownerId=o`,
          '/ai/v1/graph/documents/{documentId}/related',
        ],
        [disabled, 'GET', `${GATEWAY_API.entities}?ownerId=o`, '/ai/v1/graph/entities'],
        [
          embedding,
          'POST',
          GATEWAY_API.index,
          '/ai/v1/index',
          { ownerId: 'o', documentId: 'd', title: 'T', text: question },
        ],
        [
          embedding,
          'POST',
          GATEWAY_API.search,
          '/ai/v1/search',
          { ownerId: 'o', query: 'sun', mode: 'vector' },
        ],
        [embedding, 'POST', GATEWAY_API.analyze, '/analyze', { document: question }],
      ];
      const document = (await get('/openapi.json')).json();
      const answered = [];
      for (const [target, method, url, path, payload] of cases) {
        const answer = await target.service({ method, url, ...(payload ? { payload } : {}) });
        const responses = document.paths[path][method.toLowerCase()].responses;
        answered.push({
          path,
          status: answer.statusCode,
          documented: String(answer.statusCode) in responses,
        });
      }
      expect(answered).toEqual([
        { path: '/ai/v1/search', status: 409, documented: true },
        { path: '/ai/v1/ask', status: 409, documented: true },
        { path: '/ai/v1/chat', status: 409, documented: true },
        { path: '/ai/v1/graph/documents/{documentId}/related', status: 409, documented: true },
        { path: '/ai/v1/graph/entities', status: 409, documented: true },
        { path: '/ai/v1/index', status: 502, documented: true },
        { path: '/ai/v1/search', status: 502, documented: true },
        { path: '/analyze', status: 502, documented: true },
      ]);
    } finally {
      await disabled.close();
      await embedding.close();
      await upstream.stop();
    }
  });

  it('serves the Swagger UI at /api-docs from local assets only', async () => {
    const page = await get('/api-docs');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).not.toMatch(/https?:\/\//);
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
    expect(assets.length).toBeGreaterThanOrEqual(4);
    for (const asset of assets) {
      const response = await get(asset as string);
      expect({ asset, status: response.statusCode }).toEqual({ asset, status: 200 });
      expect(response.body.length).toBeGreaterThan(0);
      // Swagger UI's own files keep an hour in the browser's cache, as the
      // backend's do and the README says (they had a day).
      if (asset !== '/api-docs/initializer.js') {
        expect({ asset, cache: response.headers['cache-control'] }).toEqual({
          asset,
          cache: 'public, max-age=3600',
        });
      }
    }
    expect((await get('/api-docs/initializer.js')).body).toContain("url: '/openapi.json'");
    expect((await get('/api-docs/constructor')).statusCode).toBe(404);
    expect((await get('/api-docs/..%2Fpackage.json')).statusCode).toBe(404);
    const docs = await get('/docs');
    expect(docs.statusCode).toBe(301);
    expect(docs.headers.location).toBe('/api-docs');
  });
});
