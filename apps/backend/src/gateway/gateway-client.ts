import {
  BrokenCircuitError,
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
  GATEWAY_API,
  askResponse,
  chatResponse,
  indexResponse,
  removeOwnerIndexResponse,
  searchResponse,
  taskResponse,
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
import { GatewayRejectedError, GatewayUnavailableError } from './gateway-errors';

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
}

/** The backend's view of the AI/ML gateway's v1 API (libs/contracts). */
export interface GatewayClient {
  runTask(task: AiTaskName, request: TaskRequest): Promise<TaskResponse>;
  index(request: IndexRequest): Promise<void>;
  removeFromIndex(ownerId: string, documentId: string): Promise<void>;
  /** Removes everything the owner has indexed at the gateway (account erasure). */
  removeOwnerFromIndex(ownerId: string): Promise<void>;
  search(request: SearchRequest): Promise<SearchResponse>;
  ask(request: AskRequest): Promise<AskResponse>;
  chat(request: ChatRequest): Promise<ChatResponse>;
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
};

/** Failures that say the gateway is down or overloaded; a 4xx says the request was wrong. */
class GatewayCallFailed extends Error {}

/**
 * Calls the gateway with the service token, through one circuit breaker
 * shared by every call: while the gateway is down, calls fail in
 * microseconds (503 for users, a later retry for the outbox) instead of each
 * waiting for a connection or timeout.
 */
export function createGatewayClient(options: GatewayClientOptions): GatewayClient {
  const settings = { ...GATEWAY_CLIENT_DEFAULTS, ...options };
  const retryAfterSeconds = Math.max(1, Math.ceil(settings.halfOpenAfterMs / 1000));
  const breaker: CircuitBreakerPolicy = circuitBreaker(
    handleWhen(
      (error) => error instanceof GatewayCallFailed || error instanceof TaskCancelledError,
    ),
    {
      halfOpenAfter: settings.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(settings.failuresToOpen),
    },
  );

  async function call<T>(
    method: 'POST' | 'DELETE',
    path: string,
    body: unknown,
    timeoutMs: number,
    schema?: z.ZodType<T>,
  ): Promise<T> {
    const deadline = timeout(timeoutMs, TimeoutStrategy.Aggressive);
    let response: { status: number; payload: unknown };
    try {
      response = await breaker.execute(() =>
        deadline.execute(async ({ signal }) => {
          let answer: Response;
          try {
            answer = await fetch(`${settings.baseUrl}${path}`, {
              method,
              signal,
              headers: {
                authorization: `Bearer ${settings.serviceToken}`,
                ...(body === undefined ? {} : { 'content-type': 'application/json' }),
              },
              ...(body === undefined ? {} : { body: JSON.stringify(body) }),
            });
          } catch (error) {
            throw new GatewayCallFailed((error as Error).message);
          }
          const payload: unknown = await answer.json().catch(() => undefined);
          // 501 is the gateway's answer for a task no configured provider
          // can run: the request's fault, not a sick gateway, so it must not
          // trip the breaker (a few translation requests would otherwise
          // shut AI off for every user).
          // 401/403: the gateway does not take our service token (one side
          // rotated before the other). Nothing is wrong with the request:
          // like an outage, it is retried and answered 503, never made a
          // document's permanent indexing failure.
          if (
            (answer.status >= 500 && answer.status !== 501) ||
            answer.status === 429 ||
            answer.status === 401 ||
            answer.status === 403
          ) {
            throw new GatewayCallFailed(`HTTP ${answer.status}`);
          }
          return { status: answer.status, payload };
        }),
      );
    } catch (error) {
      if (error instanceof BrokenCircuitError)
        throw new GatewayUnavailableError(
          'circuit open after repeated failures',
          retryAfterSeconds,
        );
      if (error instanceof TaskCancelledError)
        throw new GatewayUnavailableError(`no answer within ${timeoutMs} ms`, retryAfterSeconds);
      if (error instanceof GatewayCallFailed)
        throw new GatewayUnavailableError(error.message, retryAfterSeconds);
      throw error;
    }
    if (response.status >= 400) {
      const detail = (response.payload as { detail?: unknown } | undefined)?.detail;
      throw new GatewayRejectedError(
        response.status,
        typeof detail === 'string' ? detail : `HTTP ${response.status}`,
      );
    }
    if (!schema) return undefined as T;
    const parsed = schema.safeParse(response.payload);
    if (!parsed.success)
      throw new GatewayUnavailableError('answer does not match the contract', retryAfterSeconds);
    return parsed.data;
  }

  return {
    runTask: (task, request) =>
      call('POST', GATEWAY_API.task(task), request, settings.requestTimeoutMs, taskResponse),
    index: async (request) => {
      await call('POST', GATEWAY_API.index, request, settings.indexTimeoutMs, indexResponse);
    },
    removeFromIndex: async (ownerId, documentId) => {
      const path = `${GATEWAY_API.indexedDocument(documentId)}?ownerId=${encodeURIComponent(ownerId)}`;
      try {
        await call('DELETE', path, undefined, settings.indexTimeoutMs);
      } catch (error) {
        // Already gone is what a delete wants.
        if (error instanceof GatewayRejectedError && error.status === 404) return;
        throw error;
      }
    },
    removeOwnerFromIndex: async (ownerId) => {
      const path = `${GATEWAY_API.index}?ownerId=${encodeURIComponent(ownerId)}`;
      await call('DELETE', path, undefined, settings.purgeTimeoutMs, removeOwnerIndexResponse);
    },
    search: (request) =>
      call('POST', GATEWAY_API.search, request, settings.requestTimeoutMs, searchResponse),
    ask: (request) =>
      call('POST', GATEWAY_API.ask, request, settings.requestTimeoutMs, askResponse),
    chat: (request) =>
      call('POST', GATEWAY_API.chat, request, settings.requestTimeoutMs, chatResponse),
  };
}
