import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type StubBehaviour =
  | 'ok'
  | 'error-500'
  | 'unavailable-503'
  | 'hang'
  | 'not-json'
  | 'empty-object'
  | 'error-object'
  | 'oversized'
  | 'reject-422'
  | 'created-201'
  | 'not-utf8'
  | 'not-found-404'
  | 'trickle'
  | 'slow-trickle'
  | 'slow-ok'
  | 'prototype-key';

/** What the 'oversized' stub streams: more than a test's answer limit, never all buffered. */
export const OVERSIZED_ANSWER_BYTES = 4 * 1024 * 1024;

export const UPSTREAM_ANALYSIS = {
  summary: 'Summary from the FastAPI container.',
  topics: ['upstream'],
  qa: null,
  discussion: ['Point from upstream'],
  insights: ['Insight from upstream'],
  document_id: 'from-upstream',
  metadata: {},
  sentiment: { label: 'neutral', confidence: 0.5, rationale: 'upstream' },
  translation: null,
  rag: {
    overview: 'o',
    key_topics: ['upstream'],
    qa_answer: null,
    supporting_context: [],
    citations: [],
  },
  sync: { graph: 'skipped', vector_store: 'skipped' },
};

/** A local HTTP server standing in for the FastAPI container's `/analyze`. */
export class StubUpstream {
  behaviour: StubBehaviour = 'ok';
  readonly received: Array<{ path: string; headers: IncomingHttpHeaders; body: string }> = [];
  /** Requests left hanging whose caller closed the connection. */
  abandoned = 0;
  private readonly server: Server;

  private constructor(server: Server) {
    this.server = server;
  }

  static async start(): Promise<StubUpstream> {
    const server = createServer();
    const stub = new StubUpstream(server);
    server.on('request', (request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        stub.received.push({ path: request.url ?? '', headers: request.headers, body });
        switch (stub.behaviour) {
          case 'ok':
            response.writeHead(200, { 'content-type': 'application/json' });
            response.end(JSON.stringify(UPSTREAM_ANALYSIS));
            return;
          case 'error-500':
            response.writeHead(500).end('Internal Server Error');
            return;
          case 'unavailable-503':
            response.writeHead(503).end('busy');
            return;
          case 'not-json':
            response.writeHead(200, { 'content-type': 'text/html' }).end('<html>proxy page</html>');
            return;
          case 'empty-object':
            response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
            return;
          case 'error-object':
            response
              .writeHead(200, { 'content-type': 'application/json' })
              .end('{"summary":42,"error":"oops"}');
            return;
          case 'oversized': {
            // A JSON string that never ends as far as a size-capped reader goes.
            response.writeHead(200, { 'content-type': 'application/json' });
            response.write('{"summary":"');
            const block = 'x'.repeat(64 * 1024);
            for (let sent = 0; sent < OVERSIZED_ANSWER_BYTES; sent += block.length)
              response.write(block);
            response.end('"}');
            return;
          }
          case 'slow-ok':
            // The analysis, 300 ms late: a probe still under way when its client leaves.
            setTimeout(() => {
              response.writeHead(200, { 'content-type': 'application/json' });
              response.end(JSON.stringify(UPSTREAM_ANALYSIS));
            }, 300);
            return;
          case 'prototype-key':
            // An analysis with a key the gateway refuses in a request.
            response
              .writeHead(200, { 'content-type': 'application/json' })
              .end(`{"__proto__":{"polluted":true},${JSON.stringify(UPSTREAM_ANALYSIS).slice(1)}`);
            return;
          case 'created-201':
            response.writeHead(201, { 'content-type': 'application/json' });
            response.end(JSON.stringify(UPSTREAM_ANALYSIS));
            return;
          case 'not-utf8': {
            // A contract-shaped answer whose summary holds Latin-1 bytes.
            const [before, after] = JSON.stringify(UPSTREAM_ANALYSIS).split('Summary');
            response.writeHead(200, { 'content-type': 'application/json' });
            response.end(
              Buffer.concat([
                Buffer.from(`${before}caf`),
                Buffer.from([0xe9]),
                Buffer.from(`${after}`),
              ]),
            );
            return;
          }
          case 'trickle': {
            // The analysis, one byte every 20 ms: always sending, never done in time.
            response.writeHead(200, { 'content-type': 'application/json' });
            const answer = Buffer.from(JSON.stringify(UPSTREAM_ANALYSIS));
            let sent = 0;
            const timer = setInterval(() => {
              if (sent >= answer.length || response.destroyed) {
                clearInterval(timer);
                response.end();
                return;
              }
              response.write(answer.subarray(sent, (sent += 1)));
            }, 20);
            response.once('close', () => clearInterval(timer));
            return;
          }
          case 'slow-trickle': {
            // Headers, then a byte every 1.4 s: each within an idle timeout
            // of 1.5 s, the whole far past it.
            response.writeHead(200, { 'content-type': 'application/json' });
            const answer = Buffer.from(JSON.stringify(UPSTREAM_ANALYSIS));
            let sent = 0;
            const timer = setInterval(() => {
              if (response.destroyed) return clearInterval(timer);
              response.write(answer.subarray(sent, (sent += 1)));
            }, 1_400);
            response.once('close', () => clearInterval(timer));
            return;
          }
          case 'not-found-404':
            response
              .writeHead(404, { 'content-type': 'application/json' })
              .end('{"detail":"Not Found"}');
            return;
          case 'reject-422':
            response.writeHead(422, { 'content-type': 'application/json' }).end('{"detail":[]}');
            return;
          case 'hang':
            response.once('close', () => (stub.abandoned += 1));
            return;
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return stub;
  }

  /** Resolves once `condition` holds of this stub, or after `timeoutMs`; the caller asserts. */
  async until(condition: (stub: StubUpstream) => boolean, timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition(this) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
