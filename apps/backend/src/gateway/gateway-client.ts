import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  timeout,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import type * as z from 'zod';
import {
  AI_TASK_NAMES,
  GATEWAY_API,
  MAX_AI_ANSWER_BYTES,
  SERVICE_TOKEN_SCHEME,
  askResponse,
  chatResponse,
  indexResponse,
  removeOwnerIndexResponse,
  searchResponse,
  taskResponseFor,
  type AiTaskName,
  type AskRequest,
  type AskResponse,
  type ChatRequest,
  type ChatResponse,
  type IndexRequest,
  type SearchRequest,
  type SearchResponse,
  type TaskRequest,
  type TaskResponse,
} from '@docuthinker/contracts';
import {
  isResponseTooLarge,
  limitBody,
  REQUEST_ID_HEADER,
  retryAfterFromHeaders,
} from '@docuthinker/runtime';
import { readChatEvents, type GatewayChatEvent } from './gateway-chat-events';
import { CallerLeftError, GatewayRejectedError, GatewayUnavailableError } from './gateway-errors';

export interface GatewayClientOptions {
  readonly baseUrl: string;
  readonly serviceToken: string;
  /** Upper bound for one AI task, chat or ask call (LLM providers can be slow). */
  readonly requestTimeoutMs?: number;
  /** Upper bound for index and delete calls made by the outbox worker. */
  readonly indexTimeoutMs?: number;
  /** Upper bound for erasing everything an account indexed (the outbox's purge jobs). */
  readonly purgeTimeoutMs?: number;
  /** Consecutive failures that open the circuit. */
  readonly failuresToOpen?: number;
  /** How long the open circuit fails calls at once before letting one through. */
  readonly halfOpenAfterMs?: number;
  /** The largest answer read; a longer one is a failure, not kept in memory. */
  readonly maxAnswerBytes?: number;
  /** Told when a test call closes the open circuit: the gateway answers again. */
  readonly onRecovered?: () => void;
}

/**
 * Who a call is made for: the id of the user's request that needs it, sent
 * as `x-request-id` so the gateway's log line of the call carries the same
 * id as the backend's (found in review: the gateway made up its own, and
 * one request could not be followed across the services). The outbox's
 * calls send their job's (`outbox:<job id>`), which its own lines carry as
 * `jobId`.
 */
export interface GatewayCallContext {
  readonly requestId?: string;
  /**
   * Aborted when the user's client leaves: the call is cancelled with
   * CallerLeftError. Not while the call is the breaker's one test call, which
   * goes on so that its outcome, not the client's patience, decides the circuit.
   */
  readonly signal?: AbortSignal;
}

/** The backend's view of the AI/ML gateway's v1 API (libs/contracts). */
export interface GatewayClient {
  runTask(
    task: AiTaskName,
    request: TaskRequest,
    context?: GatewayCallContext,
  ): Promise<TaskResponse>;
  index(request: IndexRequest, context?: GatewayCallContext): Promise<void>;
  removeFromIndex(ownerId: string, documentId: string, context?: GatewayCallContext): Promise<void>;
  /** Removes everything the owner has indexed at the gateway (account erasure). */
  removeOwnerFromIndex(ownerId: string, context?: GatewayCallContext): Promise<void>;
  search(request: SearchRequest, context?: GatewayCallContext): Promise<SearchResponse>;
  ask(request: AskRequest, context?: GatewayCallContext): Promise<AskResponse>;
  chat(request: ChatRequest, context?: GatewayCallContext): Promise<ChatResponse>;
  /**
   * The chat reply as the gateway's provider writes it: resolves once the
   * gateway has begun to answer, failing as `chat` does when it refuses or
   * cannot answer at all; the events then follow (see readChatEvents). The
   * breaker counts the call up to its first byte; a reply that breaks off
   * later is the reply's failure (AnswerInterruptedError), not an outage.
   * Read to its end, its connection serves the next call; returned early or
   * broken off, it is closed.
   */
  chatStream(
    request: ChatRequest,
    context?: GatewayCallContext,
  ): Promise<AsyncGenerator<GatewayChatEvent, void, undefined>>;
}

export const GATEWAY_CLIENT_DEFAULTS = {
  // Longer than the gateway's own AI deadline (DOCUTHINKER_AI_DEADLINE_MS,
  // 45 s at the most), after which it answers from its offline engine, degraded: the
  // gateway decides, and its answer reaches the user. At 30 s a slow provider
  // got users a 503 while the gateway was still working, and five such calls
  // opened the breaker below for every user.
  requestTimeoutMs: 50_000,
  indexTimeoutMs: 60_000,
  // An account's whole index goes in batches at the gateway (Chroma deletes,
  // Neo4j transactions of 1,000 nodes): minutes for a very large account.
  // Given up on at the index timeout, it would be retried while still running
  // and its timeouts would open the breaker below for every user's AI calls.
  purgeTimeoutMs: 600_000,
  failuresToOpen: 5,
  halfOpenAfterMs: 5_000,
  maxAnswerBytes: MAX_AI_ANSWER_BYTES,
};

/**
 * Failures that say the gateway is down, overloaded or not reachable as
 * configured: they count towards the breaker and are worth a retry, after
 * `retryAfterSeconds` when the gateway said so.
 */
class GatewayCallFailed extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/**
 * Gateway 502s that say the same request would fail again: a store refused
 * this document's records, or every AI provider refused the request. The
 * request's fate, not the gateway's health, so neither a retry nor a breaker
 * count. `DT_ERR_UPSTREAM_REJECTED` is not
 * one: on the routes the backend calls it means the embedding provider
 * refused or answered badly (an unknown model, a wrong dimension), which is
 * the deployment's to fix and fails every document alike until then.
 */
const PERMANENT_BAD_GATEWAY = new Set(['DT_ERR_STORE_REJECTED', 'DT_ERR_PROVIDERS_REFUSED']);

/** A gateway answer that is about the gateway, not about the request (see GatewayCallFailed). */
function isGatewayFailure(status: number, code: string | undefined): boolean {
  if (status === 501) {
    // No configured provider can run the task: the request's fault, not a
    // sick gateway (a few translation requests would otherwise shut AI off
    // for every user).
    return false;
  }
  if (status >= 500)
    return !(status === 502 && code !== undefined && PERMANENT_BAD_GATEWAY.has(code));
  // 401/403: the gateway does not take our service token (one side rotated
  // before the other); 404 for a route: the URL reaches something that is
  // not this gateway's API. Nothing is wrong with the request, so like an
  // outage they are retried and answered 503, never made a document's
  // permanent indexing failure. 408: the body did not arrive in time, and
  // 429: too busy; both pass.
  return (
    status === 429 ||
    status === 408 ||
    status === 401 ||
    status === 403 ||
    (status === 404 && code !== 'DT_ERR_TASK_NOT_FOUND')
  );
}

/** Each task's answer, its output in that task's shape: a 2xx of another shape is off contract. */
const TASK_RESPONSES = Object.fromEntries(
  AI_TASK_NAMES.map((task) => [task, taskResponseFor(task)]),
) as Record<AiTaskName, ReturnType<typeof taskResponseFor>>;

/** What a 401 or 403 to the service token means, said in the failure the logs show. */
const REFUSES_SERVICE_TOKEN = new Set([401, 403]);
const SERVICE_TOKEN_REFUSED =
  "the gateway refuses this backend's service token: is DOCUTHINKER_SERVICE_TOKEN the same for both services?";

/**
 * Gateway 503s that name an outage behind it: no AI provider answered (a
 * task's chain, or the embedding provider an index, search or ask needed),
 * or its vector index or knowledge graph is down. The gateway itself
 * answered, at once, and knows its dependencies' state: counted here, a
 * provider's or Chroma's outage would open this breaker for every call,
 * those that need neither included (an AI task while Chroma is down). The
 * breaker takes the answer as the gateway's success.
 */
const DEPENDENCY_OUTAGES: ReadonlySet<string> = new Set([
  'DT_ERR_PROVIDERS_UNAVAILABLE',
  'DT_ERR_ENGINE_UNAVAILABLE',
]);

function isDependencyOutage(status: number, code: string | undefined): code is string {
  return status === 503 && code !== undefined && DEPENDENCY_OUTAGES.has(code);
}

/** Asks `call` for the answer's event stream, unread, instead of its JSON. */
const EVENT_STREAM = Symbol('event-stream');

/** A 2xx event stream, its body unread, and what aborts the body once the call has returned. */
interface OpenedEventStream {
  readonly body: ReadableStream<Uint8Array>;
  readonly abort: AbortController;
}

const isEventStream = (answer: Response) =>
  /^text\/event-stream\b/i.test(answer.headers.get('content-type') ?? '');

/** The longest Retry-After passed on, whatever a proxy on the way wrote. */
const MAX_ASKED_SECONDS = 3600;

/** The gateway's Retry-After in whole seconds (at most an hour), if it sent one. */
function retryAfterSecondsOf(headers: Headers): number | undefined {
  const milliseconds = retryAfterFromHeaders(headers);
  return milliseconds === undefined
    ? undefined
    : Math.min(Math.ceil(milliseconds / 1000), MAX_ASKED_SECONDS);
}

/**
 * Calls the gateway with the service token, through one circuit breaker
 * shared by every call: while the gateway is down, calls fail in
 * microseconds (503 for users, a later retry for the outbox) instead of each
 * waiting for a connection or timeout.
 */
export function createGatewayClient(options: GatewayClientOptions): GatewayClient {
  const settings = { ...GATEWAY_CLIENT_DEFAULTS, ...options };
  const retryAfterSeconds = Math.max(1, Math.ceil(settings.halfOpenAfterMs / 1000));
  // Until when the latest failure the breaker counted asked callers to stay
  // away (0 when it gave no Retry-After): honoured by the calls the breaker,
  // once such failures opened it, refuses. Every other failure answers with
  // its own word only.
  let countedFailuresAskedUntil = 0;

  /** Unavailable until the breaker may let a call through, or later if the gateway asked. */
  function unavailable(reason: string, askedSeconds?: number): GatewayUnavailableError {
    return new GatewayUnavailableError(
      reason,
      Math.max(retryAfterSeconds, askedSeconds ?? 0),
      askedSeconds,
    );
  }
  function refusedByOpenCircuit(): GatewayUnavailableError {
    const asked = Math.ceil((countedFailuresAskedUntil - Date.now()) / 1000);
    return unavailable('circuit open after repeated failures', asked > 0 ? asked : undefined);
  }
  const breaker: CircuitBreakerPolicy = circuitBreaker(
    handleWhen(
      (error) => error instanceof GatewayCallFailed || error instanceof TaskCancelledError,
    ),
    {
      halfOpenAfter: settings.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(settings.failuresToOpen),
    },
  );
  breaker.onReset(() => options.onRecovered?.());

  function call(
    method: 'POST',
    path: string,
    body: unknown,
    timeoutMs: number,
    expected: typeof EVENT_STREAM,
    context?: GatewayCallContext,
  ): Promise<OpenedEventStream>;
  function call<T>(
    method: 'POST' | 'DELETE',
    path: string,
    body: unknown,
    timeoutMs: number,
    expected?: z.ZodType<T>,
    context?: GatewayCallContext,
  ): Promise<T>;
  async function call<T>(
    method: 'POST' | 'DELETE',
    path: string,
    body: unknown,
    timeoutMs: number,
    expected?: z.ZodType<T> | typeof EVENT_STREAM,
    context: GatewayCallContext = {},
  ): Promise<T | OpenedEventStream> {
    const streamed = expected === EVENT_STREAM;
    const schema = streamed ? undefined : expected;
    // An event stream's body is read after the call returns: the deadline
    // covers the wait for its first byte and must not abort it on return.
    const deadline = timeout(timeoutMs, {
      strategy: TimeoutStrategy.Aggressive,
      abortOnReturn: !streamed,
    });
    const bodyAbort = new AbortController();
    let response: {
      status: number;
      payload: unknown;
      /** Set for an outage behind the gateway (see isDependencyOutage), with its Retry-After. */
      dependencyOutage?: { code: string; retryAfterSeconds?: number };
    };
    if (context.signal?.aborted) throw new CallerLeftError();
    try {
      response = await breaker.execute(() => {
        // Only a call the closed circuit lets through is cancelled with its
        // client: the test call of a half-open one (cockatiel still reports
        // it open at this point) runs to its end, and its outcome decides
        // the circuit. Cancelled, cockatiel would close it untested.
        const callerSignal = breaker.state === CircuitState.Closed ? context.signal : undefined;
        return deadline.execute(async ({ signal }) => {
          let answer: Response;
          try {
            answer = await fetch(`${settings.baseUrl}${path}`, {
              method,
              signal: AbortSignal.any([
                signal,
                bodyAbort.signal,
                ...(callerSignal ? [callerSignal] : []),
              ]),
              headers: {
                authorization: `${SERVICE_TOKEN_SCHEME} ${settings.serviceToken}`,
                ...(body === undefined ? {} : { 'content-type': 'application/json' }),
                ...(streamed ? { accept: 'text/event-stream' } : {}),
                ...(context.requestId ? { [REQUEST_ID_HEADER]: context.requestId } : {}),
              },
              ...(body === undefined ? {} : { body: JSON.stringify(body) }),
            });
          } catch (error) {
            if (callerSignal?.aborted) throw new CallerLeftError();
            throw new GatewayCallFailed((error as Error).message);
          }
          if (streamed && answer.ok) {
            if (!answer.body || !isEventStream(answer)) {
              // Rejects when the body broke off already: the answer is refused all the same.
              await answer.body?.cancel().catch(() => undefined);
              throw new GatewayCallFailed(
                'answer does not match the contract: not an event stream',
              );
            }
            return { status: answer.status, payload: { body: answer.body, abort: bodyAbort } };
          }
          const payload = await readPayload(answer, settings.maxAnswerBytes);
          // An answer cut off by the client's leaving says nothing about the gateway.
          if (callerSignal?.aborted) throw new CallerLeftError();
          const code = problemField(payload, 'code');
          if (isDependencyOutage(answer.status, code)) {
            return {
              status: answer.status,
              payload,
              dependencyOutage: { code, retryAfterSeconds: retryAfterSecondsOf(answer.headers) },
            };
          }
          if (isGatewayFailure(answer.status, code)) {
            throw new GatewayCallFailed(
              `HTTP ${answer.status}${code ? ` ${code}` : ''}${REFUSES_SERVICE_TOKEN.has(answer.status) ? `: ${SERVICE_TOKEN_REFUSED}` : ''}`,
              retryAfterSecondsOf(answer.headers),
            );
          }
          if (answer.status >= 400 || !schema) return { status: answer.status, payload };
          // A 2xx outside the contract is a gateway of another version or a
          // broken one: every call would get it, so it counts as an outage.
          const parsed = schema.safeParse(payload);
          if (!parsed.success) throw new GatewayCallFailed('answer does not match the contract');
          return { status: answer.status, payload: parsed.data };
        });
      });
    } catch (error) {
      if (error instanceof BrokenCircuitError) throw refusedByOpenCircuit();
      if (error instanceof TaskCancelledError) {
        countedFailuresAskedUntil = 0;
        throw unavailable(`no answer within ${timeoutMs} ms`);
      }
      if (error instanceof GatewayCallFailed) {
        countedFailuresAskedUntil =
          error.retryAfterSeconds === undefined ? 0 : Date.now() + error.retryAfterSeconds * 1000;
        throw unavailable(error.message, error.retryAfterSeconds);
      }
      throw error;
    }
    if (response.dependencyOutage) {
      // The gateway's own word on when its dependency may answer, not the breaker's.
      const { code, retryAfterSeconds: asked } = response.dependencyOutage;
      throw new GatewayUnavailableError(
        `HTTP 503 ${code}`,
        Math.max(1, asked ?? retryAfterSeconds),
        asked,
      );
    }
    if (response.status >= 400) {
      throw new GatewayRejectedError(
        response.status,
        problemField(response.payload, 'detail') ?? `HTTP ${response.status}`,
        problemField(response.payload, 'code'),
      );
    }
    return response.payload as T | OpenedEventStream;
  }

  return {
    runTask: (task, request, context) =>
      call(
        'POST',
        GATEWAY_API.task(task),
        request,
        settings.requestTimeoutMs,
        TASK_RESPONSES[task],
        context,
      ),
    index: async (request, context) => {
      await call(
        'POST',
        GATEWAY_API.index,
        request,
        settings.indexTimeoutMs,
        indexResponse,
        context,
      );
    },
    removeFromIndex: async (ownerId, documentId, context) => {
      // The gateway answers a delete of a document it never indexed 200
      // (nothing removed); a 404 is a gateway that is not this API, retried.
      const path = `${GATEWAY_API.indexedDocument(documentId)}?ownerId=${encodeURIComponent(ownerId)}`;
      await call('DELETE', path, undefined, settings.indexTimeoutMs, undefined, context);
    },
    removeOwnerFromIndex: async (ownerId, context) => {
      const path = `${GATEWAY_API.index}?ownerId=${encodeURIComponent(ownerId)}`;
      await call(
        'DELETE',
        path,
        undefined,
        settings.purgeTimeoutMs,
        removeOwnerIndexResponse,
        context,
      );
    },
    search: (request, context) =>
      call('POST', GATEWAY_API.search, request, settings.requestTimeoutMs, searchResponse, context),
    ask: (request, context) =>
      call('POST', GATEWAY_API.ask, request, settings.requestTimeoutMs, askResponse, context),
    chat: (request, context) =>
      call('POST', GATEWAY_API.chat, request, settings.requestTimeoutMs, chatResponse, context),
    chatStream: async (request, context) => {
      const { body, abort } = await call(
        'POST',
        GATEWAY_API.chat,
        { ...request, stream: true },
        settings.requestTimeoutMs,
        EVENT_STREAM,
        context,
      );
      // Also past the breaker's test call, whose outcome its first byte decided.
      if (context?.signal?.aborted) abort.abort();
      else context?.signal?.addEventListener('abort', () => abort.abort(), { once: true });
      return readChatEvents(body, {
        abort,
        ...(context?.signal ? { callerSignal: context.signal } : {}),
        // Between events: a long reply may take minutes, a stalled one must not.
        idleTimeoutMs: settings.requestTimeoutMs,
        maxChars: settings.maxAnswerBytes,
      });
    },
  };
}

/**
 * The answer's JSON; undefined for a body that is not JSON (a proxy's HTML
 * error page, say). An answer longer than `maxBytes` fails the call as an
 * outage, read no further.
 */
async function readPayload(answer: Response, maxBytes: number): Promise<unknown> {
  try {
    return (await limitBody(answer, maxBytes).json()) as unknown;
  } catch (error) {
    if (isResponseTooLarge(error)) {
      throw new GatewayCallFailed(`answer larger than ${maxBytes} bytes`);
    }
    return undefined;
  }
}

/** A string field of a problem+json body, if the body is one. */
function problemField(payload: unknown, field: 'code' | 'detail'): string | undefined {
  const value = (payload as Record<string, unknown> | undefined)?.[field];
  return typeof value === 'string' ? value : undefined;
}
