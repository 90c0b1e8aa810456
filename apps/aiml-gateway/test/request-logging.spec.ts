import { GATEWAY_API } from '@docuthinker/contracts';
import { waitUntil } from '@docuthinker/testing';
import { StubUpstream } from './support/stub-upstream';
import { startTestGateway, type GatewayRequest, type TestGateway } from './support/test-gateway';

interface RequestLine {
  readonly level: number;
  readonly msg: string;
  readonly req?: { id?: string; method?: string; url?: string };
  readonly res?: { statusCode?: number };
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
  ): Promise<{ status: number; servedBy?: string; line: RequestLine }> {
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
          req: { id: line.req?.id, method: 'POST', url },
          res: { statusCode: 200 },
          responseTime: expect.any(Number),
        }),
      );
    }
    expect(lines().filter((line) => line.msg === 'incoming request')).toEqual([]);
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
      const { status: answered, line } = await lineFor(id, request);
      expect({ id, answered }).toEqual({ id, answered: status });
      expect(line).toEqual(
        expect.objectContaining({
          level: 40,
          msg: 'request completed',
          res: { statusCode: status },
        }),
      );
    }
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
