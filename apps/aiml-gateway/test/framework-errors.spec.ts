import { request } from 'node:http';
import { connect } from 'node:net';
import { GATEWAY_API } from '@docuthinker/contracts';
import { asService, startTestGateway, type TestGateway } from './support/test-gateway';

// Found by the fuzz suite (tools/fuzz): these answers were Fastify's own
// JSON shape (or a 500) instead of problem+json with a stable code.
describe('errors raised before routing are problem+json too', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.close());

  const expectProblem = (
    response: { statusCode: number; headers: Record<string, unknown>; body: string },
    status: number,
    code: string,
  ) => {
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(response.body)).toEqual(expect.objectContaining({ status, code }));
    // Found in an exploratory test: no Cache-Control, unlike every other answer.
    expect(response.headers['cache-control']).toBe('no-store');
  };

  it.each(['/ai/v1/graph/documents/%zz/related?ownerId=o', '/ai/v1/index/%C0%AF?ownerId=o'])(
    'a URL that is not valid percent-encoding (%s) → 400',
    async (url) => {
      const method = url.startsWith('/ai/v1/index') ? 'DELETE' : 'GET';
      expectProblem(await gateway.service({ method, url }), 400, 'DT_ERR_VALIDATION');
    },
  );

  // Node's HTTP parser holds a socket to its Content-Length, but a stream
  // that ends early still reaches Fastify's reader; it was answered 415.
  it('a body shorter than its Content-Length → 400', async () => {
    const response = await gateway.service({
      method: 'POST',
      url: GATEWAY_API.task('summary'),
      headers: { 'content-type': 'application/json', 'content-length': '400' },
      payload: '{"text":"quokka"}',
    });
    expectProblem(response, 400, 'DT_ERR_MALFORMED_REQUEST');
  });

  it('an over-long path parameter → 414', async () => {
    const response = await gateway.service({
      method: 'POST',
      // Past the router's 1024 (a 128-character id, percent-encoded, fits).
      url: GATEWAY_API.task('x'.repeat(1025)),
      payload: { text: 'x' },
    });
    expectProblem(response, 414, 'DT_ERR_URI_TOO_LONG');
    // Found in review: answered and logged, and missing from /metrics.
    const metrics = await gateway.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(
      /docuthinker_gateway_http_request_duration_seconds_count\{method="POST",route="unmatched",status_code="414"\} 1\n/,
    );
    expect(metrics.body).toMatch(
      /docuthinker_gateway_http_request_duration_seconds_sum\{method="POST",route="unmatched",status_code="414"\} \d+(\.\d+)?(e-\d+)?\n/,
    );
  });

  // Past the metadata's depth limit, 400; past the body's value budget too, 413.
  it.each([
    [GATEWAY_API.analyze, 1_000, 400, 'DT_ERR_VALIDATION'],
    [GATEWAY_API.index, 1_000, 400, 'DT_ERR_VALIDATION'],
    [GATEWAY_API.analyze, 100_000, 413, 'DT_ERR_BODY_TOO_LARGE'],
    [GATEWAY_API.index, 100_000, 413, 'DT_ERR_BODY_TOO_LARGE'],
  ])(
    'metadata sent to %s nested %i levels deep → %i, nothing indexed',
    async (url, depth, status, code) => {
      const nested = `${'['.repeat(depth)}${']'.repeat(depth)}`;
      const payload =
        url === GATEWAY_API.analyze
          ? `{"document":"deep","metadata":{"document_id":"deep","owner_id":"o","x":${nested}}}`
          : `{"ownerId":"o","documentId":"deep","title":"t","text":"deep","metadata":{"x":${nested}}}`;
      const response = await gateway.app.inject({
        method: 'POST',
        url,
        headers: { ...asService, 'content-type': 'application/json' },
        payload,
      });
      expectProblem(response, status, code);
      const search = await gateway.service({
        method: 'POST',
        url: GATEWAY_API.search,
        payload: { ownerId: 'o', query: 'deep', mode: 'lexical' },
      });
      expect(search.json()).toEqual({ hits: [], degraded: false });
    },
  );

  it('headers larger than Node accepts → 431 problem+json, connection closed', async () => {
    const address = await gateway.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = new URL(address);
    const answer = await new Promise<{
      statusCode: number;
      headers: Record<string, unknown>;
      body: string;
    }>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/health', headers: { 'x-padding': 'a'.repeat(20_000) } },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () =>
            resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body }),
          );
        },
      );
      req.on('error', reject);
      req.end();
    });
    expectProblem(answer, 431, 'DT_ERR_HEADERS_TOO_LARGE');
    expect(answer.headers['connection']).toBe('close');
    expect(answer.headers['cache-control']).toBe('no-store');
  });
});

describe('a request that is not received in time', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ requestTimeoutMs: 400 });
  });
  afterAll(() => gateway.close());

  it('→ 408 problem+json and the connection closed, the route never runs', async () => {
    const address = await gateway.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = new URL(address);
    const body = JSON.stringify({
      ownerId: 'slow',
      documentId: 'trickled',
      title: 't',
      text: 'A body that never finishes arriving.',
    });
    const socket = connect(Number(port), '127.0.0.1');
    socket.write(
      `POST ${GATEWAY_API.index} HTTP/1.1\r\nHost: gateway\r\n` +
        `Authorization: ${asService.authorization}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`,
    );
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const answer = Buffer.concat(received).toString();
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toMatch(/\r\nContent-Type: application\/problem\+json/);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual(
      expect.objectContaining({ status: 408, code: 'DT_ERR_REQUEST_TIMEOUT' }),
    );
    const search = await gateway.service({
      method: 'POST',
      url: GATEWAY_API.search,
      payload: { ownerId: 'slow', query: 'body', mode: 'lexical' },
    });
    expect(search.json()).toEqual({ hits: [], degraded: false });
  });
});
