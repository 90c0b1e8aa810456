import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { codePointBoundary } from '@docuthinker/contracts';

/**
 * A stand-in for the remote AI/ML gateway that speaks its v1 contract
 * (libs/contracts) minimally and deterministically: it keeps indexed texts
 * per owner, answers tasks, search, ask and chat from them, checks the
 * service token, and can be stopped and restarted on the same port to play
 * an outage. It fakes the dependency, not the backend under test.
 */
export interface IndexedText {
  ownerId: string;
  documentId: string;
  title: string;
  text: string;
}

export interface FakeGateway {
  readonly url: string;
  readonly indexed: Map<string, IndexedText>;
  /** Every authorised request, in order: `METHOD path`. */
  readonly calls: string[];
  /** Requests refused for a wrong or missing service token. */
  unauthorised: number;
  /** The summary task answers degraded while set (the gateway's offline engine). */
  degraded: boolean;
  /** While set, a chat call is held unanswered until its caller leaves. */
  holdChat: boolean;
  /** Chat calls whose caller left while they were held, or before their streamed reply ended. */
  chatsCancelled: number;
  /**
   * How a streamed reply (`stream: true`) goes on after its first piece:
   * to its end; held back until `releaseHeldReplies`; ended by the
   * gateway's `error` event (its provider failed mid-reply); or cut once
   * released (cut at once, the piece and the cut can reach the backend as one
   * read, and Node 24's fetch drops a piece its stream had queued when it errs).
   */
  replyAfterFirstPiece: 'ends' | 'held' | 'error-event' | 'cut';
  /** Lets every held reply go on to its end. */
  releaseHeldReplies(): void;
  /** While set, indexing answers 503 (its vector index down): the backend's documents stay pending. */
  refuseIndexing: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length
    ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>)
    : {};
}

/** Which provider answered a chat or a question, as the gateway says. */
export const ANSWER_PROVENANCE = { provider: 'fake', model: 'fake-1', degraded: false } as const;

const words = (text: string) => text.toLowerCase().match(/[a-z0-9]+/g) ?? [];

function taskOutput(task: string, text: string, options: Record<string, string>): unknown {
  const opening = text.replace(/\s+/g, ' ').trim().slice(0, 120);
  switch (task) {
    case 'sentiment':
      return { score: 0.25, label: 'positive', description: 'Mildly positive.' };
    case 'key-ideas':
    case 'discussion-points':
    case 'bullet-summary':
    case 'recommendations':
      return [`${task}: ${opening.slice(0, 40)}`, 'second point'];
    // The other shapes as the gateway's contract has them (TASK_OUTPUTS),
    // which the backend now checks each answer against.
    case 'topics':
      return {
        keyPhrases: [{ phrase: opening.slice(0, 40), score: 1, occurrences: 1 }],
        entities: [],
      };
    case 'summary-in-language':
      return {
        language: options['language'],
        text: `[${options['language']}] ${opening}`,
        translated: true,
      };
    case 'rewrite':
      return { style: options['style'], text: `[${options['style']}] ${opening}` };
    case 'refine-summary':
      return `${options['summary']} (refined: ${options['instructions']})`;
    default:
      return `Summary: ${opening}`;
  }
}

const event = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

/** A few words per piece, as a model's stream has them. */
const REPLY_PIECE_CHARS = 12;

export async function startFakeGateway(serviceToken: string, port = 0): Promise<FakeGateway> {
  let server: Server | undefined;
  let boundPort = port;
  let heldReplies: (() => void)[] = [];

  /** The chat answer as `/ai/v1/chat` streams it: pieces, citations, done. */
  const streamReply = async (res: ServerResponse, answer: Record<string, unknown>) => {
    const reply = String(answer['reply']);
    const ending = gateway.replyAfterFirstPiece;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
    res.once('close', () => {
      if (!res.writableFinished && ending !== 'cut') gateway.chatsCancelled += 1;
    });
    // Split on code points, as the gateway holds back half a surrogate pair.
    const pieces: string[] = [];
    for (let start = 0; start < reply.length;) {
      const end = codePointBoundary(
        reply,
        start,
        Math.min(start + REPLY_PIECE_CHARS, reply.length),
      );
      pieces.push(reply.slice(start, end));
      start = end;
    }
    res.write(event('delta', { text: pieces[0] ?? '' }));
    if (ending === 'held' || ending === 'cut')
      await new Promise<void>((resolve) => heldReplies.push(resolve));
    if (ending === 'cut') {
      res.socket?.end();
      return;
    }
    if (ending === 'error-event') {
      res.end(
        event('error', {
          type: 'https://docuthinker.dev/problems/answer-interrupted',
          title: 'The answer broke off before it was complete',
          status: 502,
          code: 'DT_ERR_ANSWER_INTERRUPTED',
          detail: 'fake: failed after the reply began',
        }),
      );
      return;
    }
    for (const piece of pieces.slice(1)) res.write(event('delta', { text: piece }));
    const { citations, ...done } = answer;
    res.write(event('citations', { citations }));
    res.end(event('done', done));
  };

  const search = (ownerId: string, query: string, documentIds?: string[]) => {
    const queryWords = new Set(words(query));
    return [...gateway.indexed.values()]
      .filter(
        (doc) => doc.ownerId === ownerId && (!documentIds || documentIds.includes(doc.documentId)),
      )
      .map((doc) => {
        const docWords = words(doc.text);
        const score =
          docWords.filter((word) => queryWords.has(word)).length / (docWords.length || 1);
        const first = docWords.find((word) => queryWords.has(word));
        const at = first ? doc.text.toLowerCase().indexOf(first) : 0;
        return {
          documentId: doc.documentId,
          chunkId: `${doc.documentId}:0`,
          text: doc.text.slice(Math.max(0, at - 20), at + 80),
          score,
        };
      })
      .filter((hit) => hit.score > 0)
      .sort((a, b) => b.score - a.score);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.authorization !== `Bearer ${serviceToken}`) {
      gateway.unauthorised += 1;
      return json(res, 401, { detail: 'service token required' });
    }
    const url = new URL(req.url ?? '/', 'http://gateway');
    gateway.calls.push(`${req.method} ${url.pathname}`);
    const body = req.method === 'POST' ? await readJson(req) : {};
    const task = /^\/ai\/v1\/tasks\/([\w-]+)$/.exec(url.pathname)?.[1];
    if (req.method === 'POST' && task) {
      const options = (body['options'] ?? {}) as Record<string, string>;
      const degraded = gateway.degraded && task === 'summary';
      return json(res, 200, {
        task,
        output: taskOutput(task, String(body['text']), options),
        provider: degraded ? 'local' : 'fake',
        model: degraded ? 'extractive' : 'fake-1',
        degraded,
      });
    }
    if (req.method === 'POST' && url.pathname === '/ai/v1/index' && gateway.refuseIndexing) {
      // The vector index is down behind it: an outage the backend's breaker does not count.
      return json(res, 503, { code: 'DT_ERR_ENGINE_UNAVAILABLE', detail: 'Chroma is down' });
    }
    if (req.method === 'POST' && url.pathname === '/ai/v1/index') {
      const doc = body as unknown as IndexedText;
      gateway.indexed.set(doc.documentId, doc);
      return json(res, 200, {
        documentId: doc.documentId,
        chunks: 1,
        vector: { upserted: 1 },
        graph: { nodes: 0, edges: 0 },
      });
    }
    if (req.method === 'DELETE' && url.pathname === '/ai/v1/index') {
      const ownerId = url.searchParams.get('ownerId');
      let removed = 0;
      for (const [id, doc] of gateway.indexed) {
        if (doc.ownerId !== ownerId) continue;
        gateway.indexed.delete(id);
        removed += 1;
      }
      return json(res, 200, {
        ownerId,
        vector: { enabled: true, removed, documents: removed },
        graph: { enabled: true, removedDocuments: removed, removedEntities: 0 },
      });
    }
    const removed = /^\/ai\/v1\/index\/([^/]+)$/.exec(url.pathname)?.[1];
    if (req.method === 'DELETE' && removed) {
      // As the gateway answers: 200 whether or not it held the owner's
      // document (a delete job may find it removed already).
      const doc = gateway.indexed.get(removed);
      const held = doc !== undefined && doc.ownerId === url.searchParams.get('ownerId');
      if (held) gateway.indexed.delete(removed);
      return json(res, 200, {
        documentId: removed,
        vector: { enabled: true, removed: held ? 1 : 0 },
        graph: { enabled: true, removedEntities: 0 },
      });
    }
    if (req.method === 'POST' && url.pathname === '/ai/v1/search') {
      const hits = search(
        String(body['ownerId']),
        String(body['query']),
        body['documentIds'] as string[],
      );
      return json(res, 200, { hits: hits.slice(0, Number(body['k'] ?? 10)) });
    }
    if (req.method === 'POST' && url.pathname === '/ai/v1/ask') {
      const hits = search(
        String(body['ownerId']),
        String(body['question']),
        body['documentIds'] as string[],
      );
      const named = body['documentIds'] as string[] | undefined;
      return json(res, 200, {
        // As the real gateway: said for a few named documents of which nothing was found.
        ...(named && named.length <= 20 && hits.length === 0
          ? {
              documentsIndexed: named.some(
                (id) => gateway.indexed.get(id)?.ownerId === body['ownerId'],
              ),
            }
          : {}),
        answer: hits.length ? `From your documents: ${hits[0]?.text}` : 'No document answers this.',
        citations: hits.map(({ documentId, chunkId, text, score }) => ({
          documentId,
          chunkId,
          snippet: text,
          score,
        })),
        ...ANSWER_PROVENANCE,
      });
    }
    if (req.method === 'POST' && url.pathname === '/ai/v1/chat' && gateway.holdChat) {
      res.once('close', () => {
        gateway.chatsCancelled += 1;
      });
      return;
    }
    if (req.method === 'POST' && url.pathname === '/ai/v1/chat') {
      const messages = body['messages'] as { role: string; content: string }[];
      const question = messages.at(-1)?.content ?? '';
      const hits = search(String(body['ownerId']), question, [String(body['documentId'])]);
      const answer = {
        documentIndexed:
          gateway.indexed.get(String(body['documentId']))?.ownerId === body['ownerId'],
        reply:
          `You asked "${question}" (${messages.length} messages so far). ${hits[0]?.text ?? ''}`.trim(),
        citations: hits.map(({ documentId, chunkId, text, score }) => ({
          documentId,
          chunkId,
          snippet: text,
          score,
        })),
        ...ANSWER_PROVENANCE,
      };
      return body['stream'] === true ? streamReply(res, answer) : json(res, 200, answer);
    }
    return json(res, 404, { detail: 'no such route' });
  };

  const gateway: FakeGateway = {
    get url() {
      return `http://127.0.0.1:${boundPort}`;
    },
    indexed: new Map(),
    calls: [],
    unauthorised: 0,
    degraded: false,
    holdChat: false,
    chatsCancelled: 0,
    replyAfterFirstPiece: 'ends',
    releaseHeldReplies() {
      const held = heldReplies;
      heldReplies = [];
      for (const release of held) release();
    },
    refuseIndexing: false,
    async start() {
      server = createServer((req, res) => {
        handle(req, res).catch(() => json(res, 500, { detail: 'fake gateway failed' }));
      });
      await new Promise<void>((resolve, reject) => {
        server?.once('error', reject);
        server?.listen(boundPort, '127.0.0.1', () => resolve());
      });
      boundPort = (server.address() as AddressInfo).port;
    },
    async stop() {
      const closing = server;
      server = undefined;
      if (!closing) return;
      closing.closeAllConnections();
      await new Promise<void>((resolve) => closing.close(() => resolve()));
    },
  };
  await gateway.start();
  return gateway;
}
