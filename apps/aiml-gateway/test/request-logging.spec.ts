import { connect, type AddressInfo } from 'node:net';
import { GATEWAY_API } from '@docuthinker/contracts';
import { waitUntil } from '@docuthinker/testing';
import { StubUpstream } from './support/stub-upstream';
import {
  SERVICE_TOKEN,
  startTestGateway,
  type GatewayRequest,
  type TestGateway,
} from './support/test-gateway';

interface RequestLine {
  readonly level: number;
  readonly msg: string;
  readonly req?: { id?: string; method?: string; url?: string; route?: string };
  readonly res?: { statusCode?: number };
}

/** Sends `text` on a fresh connection and resolves with all the server wrote back. */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

/**
 * The gateway's one line per request, written by the server itself (so over
 * HTTP: `inject` goes around the server), for every way a request can end.
 */
describe('one log line per request', () => {
  let upstream: StubUpstream;
  let gateway: TestGateway;
  let warmedUp = false;

  beforeAll(async () => {
    upstream = await StubUpstream.start();
    gateway = await startTestGateway({ engine: { upstreamUrl: upstream.url }, captureLogs: true });
  });
  afterAll(async () => {
    await gateway.close();
    await upstream.stop();
  });

  const lines = () => gateway.logs() as RequestLine[];
  const linesOf = (id: string) => lines().filter((line) => line.req?.id === id);

  /** Sends a request with its own id and returns the one line it got. */
  async function lineFor(
    id: string,
    request: Omit<GatewayRequest, 'headers'>,
  ): Promise<{ status: number; servedBy?: string; requestId?: string; line: RequestLine }> {
    if (!warmedUp) {
      // The fast path takes a service token it has seen verified once.
      await gateway.request('http', { method: 'GET', url: `${GATEWAY_API.entities}?ownerId=w` });
      warmedUp = true;
    }
    const response = await gateway.request('http', {
      ...request,
      headers: { 'x-request-id': id },
    });
    // Written as the response closes, which may be after the client has it.
    await waitUntil(`the line of ${id}`, async () => linesOf(id).length > 0);
    const [line, ...more] = linesOf(id);
    expect(more).toEqual([]);
    return {
      status: response.statusCode,
      servedBy: response.headers['x-docuthinker-served-by'],
      requestId: response.headers['x-request-id'],
      line: line as RequestLine,
    };
  }

  it('writes request completed at info for a proxied /analyze and for a route', async () => {
    const proxied = await lineFor('line-analyze', {
      method: 'POST',
      url: GATEWAY_API.analyze,
      payload: { document: 'A licence grants rights. It also disclaims warranties.' },
    });
    expect(proxied.status).toBe(200);
    expect(proxied.servedBy).toBe('upstream');
    const routed = await lineFor('line-search', {
      method: 'POST',
      url: GATEWAY_API.search,
      payload: { ownerId: 'owner-1', query: 'licence' },
    });
    expect(routed.status).toBe(200);
    for (const [{ line }, url] of [
      [proxied, GATEWAY_API.analyze],
      [routed, GATEWAY_API.search],
    ] as const) {
      expect(line).toEqual(
        expect.objectContaining({
          level: 30,
          msg: 'request completed',
          req: { id: line.req?.id, method: 'POST', url, route: url },
          res: { statusCode: 200 },
          responseTime: expect.any(Number),
        }),
      );
    }
    expect(lines().filter((line) => line.msg === 'incoming request')).toEqual([]);
  });

  // Found in review: the line held the whole URL, query values (users' text) too.
  it("writes a request's query by its parameters' names, not their values", async () => {
    const { status, line } = await lineFor('line-query', {
      method: 'GET',
      url: `${GATEWAY_API.entities}?ownerId=private-owner-7&limit=3`,
    });
    expect(status).toBe(200);
    expect(line.req?.url).toBe(`${GATEWAY_API.entities}?ownerId&limit`);
  });

  it('names the route pattern that answered, not the ids in its URL; none when no route did', async () => {
    const related = await lineFor('line-related', {
      method: 'GET',
      url: `${GATEWAY_API.relatedDocuments('doc-42')}?ownerId=owner-1`,
    });
    expect(related.status).toBe(200);
    expect(related.line.req?.route).toBe('/ai/v1/graph/documents/:documentId/related');
    const unknown = await lineFor('line-unknown', { method: 'GET', url: '/ai/v1/nothing-here' });
    expect(unknown.status).toBe(404);
    expect(unknown.line.req).toEqual({
      id: 'line-unknown',
      method: 'GET',
      url: '/ai/v1/nothing-here',
    });
  });

  it('writes a warning for a refused request, also one answered before routing', async () => {
    const cases = [
      // Handed over by the fast path to the route, which refuses it.
      ['line-invalid', { method: 'POST', url: GATEWAY_API.analyze, payload: { mode: 'x' } }, 400],
      ['line-bad-url', { method: 'GET', url: '/ai/v1/graph/documents/%E0%A4%A/related' }, 400],
      [
        'line-long-param',
        { method: 'DELETE', url: `/ai/v1/index/${'d'.repeat(1100)}?ownerId=o` },
        414,
      ],
    ] as const;
    for (const [id, request, status] of cases) {
      const { status: answered, requestId, line } = await lineFor(id, request);
      expect({ id, answered, requestId }).toEqual({ id, answered: status, requestId: id });
      expect(line).toEqual(
        expect.objectContaining({
          level: 40,
          msg: 'request completed',
          res: { statusCode: status },
        }),
      );
    }
  });

  it('writes a warning, and no stack, for a task this deployment does not offer (501)', async () => {
    // The offline engine alone cannot translate: asked every day, nobody's fault.
    const offline = await startTestGateway({ captureLogs: true });
    try {
      const response = await offline.request('http', {
        method: 'POST',
        url: '/ai/v1/tasks/summary-in-language',
        headers: { 'x-request-id': 'line-unsupported' },
        payload: {
          text: 'A licence grants rights. It disclaims warranties.',
          options: { language: 'fr' },
        },
      });
      expect(response.statusCode).toBe(501);
      await waitUntil('the line of line-unsupported', async () =>
        (offline.logs() as RequestLine[]).some((line) => line.req?.id === 'line-unsupported'),
      );
      const logged = offline.logs() as (RequestLine & { err?: unknown })[];
      expect(logged.filter((line) => line.req?.id === 'line-unsupported')).toEqual([
        expect.objectContaining({ level: 40, msg: 'request completed', res: { statusCode: 501 } }),
      ]);
      expect(logged.filter((line) => line.level >= 40 && line.err !== undefined)).toEqual([]);
    } finally {
      await offline.close();
    }
  });

  it('writes one for a request the HTTP parser refuses before any handler', async () => {
    // Listening once a request has gone over HTTP.
    await gateway.request('http', { method: 'GET', url: '/health' });
    const before = lines().filter((line) => line.msg === 'request refused').length;
    // Headers over Node's 16 KB: refused by the parser with 431.
    const { port } = gateway.app.server.address() as AddressInfo;
    const answer = await rawRequest(
      port,
      `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    await waitUntil('the refused line', async () =>
      lines().some((line) => line.msg === 'request refused'),
    );
    expect(lines().filter((line) => line.msg === 'request refused')).toHaveLength(before + 1);
    expect(lines().find((line) => line.msg === 'request refused')).toEqual(
      expect.objectContaining({ level: 40, res: { statusCode: 431 } }),
    );
  });

  // Found in an exploratory test: the line of a client that left said 200,
  // the status a response reads before one is set.
  it('writes request aborted with no status for a client that left before any answer', async () => {
    await gateway.request('http', { method: 'GET', url: '/health' });
    const { port } = gateway.app.server.address() as AddressInfo;
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    // Half the body promised, then gone: nothing can have been answered.
    socket.write(
      `POST ${GATEWAY_API.search} HTTP/1.1\r\nHost: x\r\nx-request-id: line-left\r\n` +
        `authorization: Bearer ${SERVICE_TOKEN}\r\ncontent-type: application/json\r\n` +
        'content-length: 200\r\n\r\n{"ownerId": "owner-1", ',
    );
    // Time for the server to parse the headers and route the request.
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.destroy();
    await waitUntil('the line of line-left', async () => linesOf('line-left').length > 0);
    const [line, ...more] = linesOf('line-left');
    expect(more).toEqual([]);
    expect(line).toEqual(expect.objectContaining({ level: 40, msg: 'request aborted' }));
    expect(line?.res).toBeUndefined();
  });

  it('writes none for liveness probes and metric scrapes', async () => {
    for (const url of ['/health', '/metrics']) {
      const response = await gateway.request('http', { method: 'GET', url });
      expect(response.statusCode).toBe(200);
    }
    // A request after them has its line: theirs would be there by now.
    await lineFor('line-after-probes', { method: 'GET', url: '/ready' });
    const probed = lines().filter((line) => ['/health', '/metrics'].includes(line.req?.url ?? ''));
    expect(probed).toEqual([]);
  });
});
