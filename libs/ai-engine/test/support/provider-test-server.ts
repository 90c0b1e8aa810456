import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

/** A streamed answer: server-sent events written one at a time. */
export interface ScriptedStream {
  /** Each written as it is, as its own chunk. */
  readonly events: readonly string[];
  /** The events after the first `after` wait until `until` settles. */
  readonly pause?: { readonly after: number; readonly until: Promise<unknown> };
  /** The connection is cut (destroyed) after this many events instead of ending. */
  readonly cutAfter?: number;
}

export interface ScriptedResponse {
  readonly status?: number;
  /** Sent instead of `body` when the status is 2xx, as `text/event-stream`. */
  readonly stream?: ScriptedStream;
  /** An object is sent as JSON, a string as is. */
  readonly body?: unknown;
  readonly delayMs?: number;
  readonly headers?: Record<string, string>;
}

export interface ProviderTestServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /**
   * Resolves once `count` requests have arrived. Tests that make a caller
   * leave mid-request wait for this instead of a timer: on a loaded machine a
   * request can take longer than any fixed pause to arrive. Rejects, saying
   * how many came, when they have not after `timeoutMs`.
   */
  received(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real HTTP server on a loopback port that answers like a remote provider
 * would (good, failing, slow or malformed), recording what it was sent. It
 * stands in for the remote service, not for the code under test.
 */
export async function startProviderServer(
  respond: (request: RecordedRequest, index: number) => ScriptedResponse,
): Promise<ProviderTestServer> {
  const requests: RecordedRequest[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        // Recorded as text.
      }
      const request = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body,
      };
      requests.push(request);
      for (const waiter of waiters.filter((entry) => requests.length >= entry.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      const scripted = respond(request, requests.length - 1);
      const send = () => {
        if (res.destroyed) return;
        if (scripted.stream && (scripted.status ?? 200) < 300) {
          void writeStream(res, scripted.stream, scripted.headers);
          return;
        }
        const payload =
          typeof scripted.body === 'string' ? scripted.body : JSON.stringify(scripted.body ?? {});
        res.writeHead(scripted.status ?? 200, {
          'content-type': 'application/json',
          ...scripted.headers,
        });
        res.end(payload);
      };
      if (scripted.delayMs) {
        const timer = setTimeout(send, scripted.delayMs);
        res.on('close', () => clearTimeout(timer));
      } else {
        send();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    received: (count, timeoutMs = 15_000) => {
      if (requests.length >= count) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`${requests.length} of ${count} requests arrived in ${timeoutMs} ms`));
        }, timeoutMs);
        const waiter = {
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
        waiters.push(waiter);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function writeStream(
  res: ServerResponse,
  { events, pause, cutAfter }: ScriptedStream,
  headers: Record<string, string> = {},
): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', ...headers });
  for (const [index, event] of events.entries()) {
    if (index === cutAfter) break;
    if (pause && index === pause.after) await pause.until.catch(() => undefined);
    if (res.destroyed) return;
    await new Promise((written) => res.write(event, written));
  }
  // Cut as a connection is lost mid-answer: closed without the end of the body.
  if (cutAfter !== undefined && cutAfter <= events.length) res.socket?.end();
  else res.end();
}

/**
 * `startProviderServer` for one spec file: every server a test starts is
 * closed after that test. Call it at the top level of the spec.
 */
export function providerServersClosedAfterEach(): typeof startProviderServer {
  const started: ProviderTestServer[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((server) => server.close()));
  });
  return async (respond) => {
    const server = await startProviderServer(respond);
    started.push(server);
    return server;
  };
}

export const openAiReply = (text: string) => ({
  id: 'chatcmpl-test',
  object: 'chat.completion',
  // As OpenAI answers for the alias `gpt-4o-mini`: the snapshot that served.
  model: 'gpt-4o-mini-2024-07-18',
  choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 },
});

export const anthropicReply = (text: string) => ({
  id: 'msg_test',
  type: 'message',
  role: 'assistant',
  model: 'claude-3-5-haiku-20241022',
  content: [{ type: 'text', text }],
  usage: { input_tokens: 110, output_tokens: 25 },
});

export const googleReply = (text: string) => ({
  candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP' }],
  usageMetadata: { promptTokenCount: 100, candidatesTokenCount: 20 },
  modelVersion: 'gemini-2.0-flash-001',
});

/**
 * OpenAI's embeddings answer for `input`, encoded as the request asks: the
 * SDK asks for base64 (little-endian float32) unless told otherwise.
 */
export function openAiEmbeddingsReply(
  body: unknown,
  embed: (text: string, dimensions: number) => number[],
) {
  const { input, dimensions, encoding_format } = body as {
    input: string[];
    dimensions: number;
    encoding_format?: string;
  };
  const encode = (vector: number[]) =>
    encoding_format === 'base64'
      ? Buffer.from(Float32Array.from(vector).buffer).toString('base64')
      : vector;
  return {
    object: 'list',
    model: 'text-embedding-3-small',
    data: input.map((text, index) => ({
      object: 'embedding',
      index,
      embedding: encode(embed(text, dimensions)),
    })),
  };
}

/** One OpenAI embedding of the given values, encoded as the request asks. */
export function openAiEmbedding(body: unknown, vector: number[]) {
  const { encoding_format } = body as { encoding_format?: string };
  return encoding_format === 'base64'
    ? Buffer.from(Float32Array.from(vector).buffer).toString('base64')
    : vector;
}

/** A server-sent event as the APIs write it: `data` as JSON, after an event name where given. */
const sse = (data: unknown, event?: string) =>
  `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;

/** OpenAI's streamed chat completion of `pieces`: a chunk each, the finish, the usage, [DONE]. */
export function openAiStreamEvents(pieces: readonly string[], finishReason = 'stop'): string[] {
  const chunk = (choices: unknown[], usage: unknown = null) =>
    sse({
      id: 'chatcmpl-test',
      object: 'chat.completion.chunk',
      model: 'gpt-4o-mini-2024-07-18',
      choices,
      usage,
    });
  return [
    ...pieces.map((content) => chunk([{ index: 0, delta: { content }, finish_reason: null }])),
    chunk([{ index: 0, delta: {}, finish_reason: finishReason }]),
    chunk([], { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 }),
    sse('[DONE]'),
  ];
}

/** Anthropic's streamed message of `pieces`, from message_start to message_stop. */
export function anthropicStreamEvents(
  pieces: readonly string[],
  stopReason = 'end_turn',
): string[] {
  return [
    sse(
      {
        type: 'message_start',
        message: {
          id: 'msg_test',
          type: 'message',
          role: 'assistant',
          model: 'claude-3-5-haiku-20241022',
          content: [],
          stop_reason: null,
          usage: { input_tokens: 110, output_tokens: 1 },
        },
      },
      'message_start',
    ),
    sse(
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      'content_block_start',
    ),
    ...pieces.map((text) =>
      sse(
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } },
        'content_block_delta',
      ),
    ),
    sse({ type: 'content_block_stop', index: 0 }, 'content_block_stop'),
    sse(
      {
        type: 'message_delta',
        delta: { stop_reason: stopReason, stop_sequence: null },
        usage: { output_tokens: 25 },
      },
      'message_delta',
    ),
    sse({ type: 'message_stop' }, 'message_stop'),
  ];
}

/** Gemini's streamed answer of `pieces` (`streamGenerateContent?alt=sse`); the last names the finish. */
export function googleStreamEvents(pieces: readonly string[], finishReason = 'STOP'): string[] {
  return pieces.map((text, index) =>
    sse({
      candidates: [
        {
          content: { role: 'model', parts: [{ text }] },
          ...(index === pieces.length - 1 ? { finishReason } : {}),
        },
      ],
      ...(index === pieces.length - 1
        ? { usageMetadata: { promptTokenCount: 100, candidatesTokenCount: 20 } }
        : {}),
      modelVersion: 'gemini-2.0-flash-001',
    }),
  );
}

/** An error the API sends in place of the rest of a stream, in its own format. */
export const streamErrorEvent = {
  openai: sse({ error: { message: 'The server had an error', type: 'server_error', code: null } }),
  anthropic: sse(
    { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
    'error',
  ),
};
