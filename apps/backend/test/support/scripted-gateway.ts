import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SERVICE_TOKEN } from './start-backend';

/**
 * A stand-in for the AI/ML gateway whose every answer the test writes: for
 * the status codes, problem codes and headers the real gateway gives in
 * situations hard to bring about (a provider outage, a store refusing a
 * write). `healthyAnswer` answers each route the backend calls as the
 * gateway's contract says. Unlike FakeGateway it keeps no documents.
 */
export interface ScriptedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly bodyBytes: number;
  readonly body: Record<string, unknown>;
  /** When it arrived (performance.now()). */
  readonly at: number;
}

export type ScriptedAnswer = (request: ScriptedRequest, res: ServerResponse) => void;

export interface ScriptedGateway {
  readonly url: string;
  /** Every request with the service token, in order. */
  readonly calls: ScriptedRequest[];
  /** Answers the next requests; `healthyAnswer` unless a test sets another. */
  answer: ScriptedAnswer;
  stop(): Promise<void>;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const contentType = status >= 400 ? 'application/problem+json' : 'application/json';
  res.writeHead(status, { 'content-type': contentType, ...headers });
  res.end(JSON.stringify(body));
}

/** A problem+json body in the gateway's shape. */
export function gatewayProblem(status: number, code: string, detail: string) {
  return { type: 'about:blank', title: code, status, code, detail };
}

async function readRequest(req: IncomingMessage): Promise<ScriptedRequest> {
  const at = performance.now();
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const url = new URL(req.url ?? '/', 'http://gateway');
  let body: Record<string, unknown> = {};
  try {
    body = raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {};
  } catch {
    // A body that is not JSON is kept as its size only.
  }
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    bodyBytes: raw.length,
    body,
    at,
  };
}

export async function startScriptedGateway(): Promise<ScriptedGateway> {
  const calls: ScriptedRequest[] = [];
  const server = createServer((req, res) => {
    readRequest(req).then(
      (request) => {
        if (req.headers.authorization !== `Bearer ${SERVICE_TOKEN}`) {
          sendJson(res, 401, gatewayProblem(401, 'DT_ERR_UNAUTHENTICATED', 'token'));
          return;
        }
        calls.push(request);
        gateway.answer(request, res);
      },
      () => res.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const gateway: ScriptedGateway = {
    url: `http://127.0.0.1:${port}`,
    calls,
    answer: healthyAnswer,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return gateway;
}

/** What the gateway answers each route the backend calls when all is well. */
export function healthyAnswer(request: ScriptedRequest, res: ServerResponse): void {
  const task = /^\/ai\/v1\/tasks\/([\w-]+)$/.exec(request.path)?.[1];
  if (request.method === 'POST' && task) {
    sendJson(res, 200, {
      task,
      output: `Summary of ${String(request.body['text']).slice(0, 40)}`,
      provider: 'scripted',
      model: 'scripted-1',
      degraded: false,
    });
  } else if (request.method === 'POST' && request.path === '/ai/v1/index') {
    sendJson(res, 200, {
      documentId: request.body['documentId'],
      chunks: 1,
      vector: { upserted: 1 },
      graph: { nodes: 0, edges: 0 },
    });
  } else if (request.method === 'DELETE' && request.path === '/ai/v1/index') {
    sendJson(res, 200, {
      ownerId: request.query.get('ownerId'),
      vector: { enabled: true, removed: 0, documents: 0 },
      graph: { enabled: true, removedDocuments: 0, removedEntities: 0 },
    });
  } else if (request.method === 'DELETE' && request.path.startsWith('/ai/v1/index/')) {
    sendJson(res, 200, {
      documentId: request.path.split('/').at(-1),
      vector: { enabled: true, removed: 0 },
      graph: { enabled: true, removedEntities: 0 },
    });
  } else if (request.method === 'POST' && request.path === '/ai/v1/search') {
    sendJson(res, 200, { hits: [] });
  } else if (request.method === 'POST' && request.path === '/ai/v1/ask') {
    sendJson(res, 200, { answer: 'No answer.', citations: [] });
  } else if (request.method === 'POST' && request.path === '/ai/v1/chat') {
    sendJson(res, 200, { reply: 'A reply.', citations: [] });
  } else {
    sendJson(res, 404, gatewayProblem(404, 'DT_ERR_ROUTE_NOT_FOUND', 'no such route'));
  }
}
