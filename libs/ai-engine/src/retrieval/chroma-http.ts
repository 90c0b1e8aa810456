import type { Dispatcher } from 'undici';
import { loadUndici } from './load-undici';
import { requestDeadline } from './request-deadline';

/**
 * How long a TCP (and TLS) connection to Chroma may take. Chroma sits on the
 * same network as the gateway (compose, or an ECS service in the VPC), where
 * a connection takes milliseconds; 3 s still lets one lost SYN be sent again
 * (Linux retries after 1 s). Node's fetch would wait 10 s.
 */
export const CHROMA_CONNECT_TIMEOUT_MS = 3_000;

/**
 * How long one HTTP call to Chroma may take from dispatch to the last byte of
 * its answer. The slowest legitimate calls measured are a lexical prefilter
 * (~70 ms per term per 5,000 chunks of an owner: the 16 terms allowed take
 * ~1.1 s there, more on a larger owner) and one page of the exact search that
 * stands in for a short HNSW answer; 15 s leaves room for several times
 * those. A hung Chroma then fails a search or a write batch in 15 s, and a
 * failed write with its clean-up (two calls) in 30 s, inside the backend's
 * 50-60 s wait for the gateway, which undici's defaults (300 s for headers,
 * and no bound at all on a body that keeps trickling) were not. After a few
 * such calls Chroma's circuit opens (see chroma-circuit.ts) and the calls
 * after them fail at once.
 */
export const CHROMA_REQUEST_TIMEOUT_MS = 15_000;

export interface ChromaHttpTimeouts {
  readonly connectTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
}

/**
 * The connection pool every HTTP call to Chroma goes through, the client's
 * (as its `fetchOptions.dispatcher`) and the adapter's own writes alike:
 * connections time out after the connect timeout, and each request is
 * aborted at its deadline however far it got (see requestDeadline).
 * undici's own headers and body timeouts are set to the same bound in place
 * of their 300 s defaults.
 */
export function chromaDispatcher(timeouts: ChromaHttpTimeouts = {}): Dispatcher {
  const { connectTimeoutMs, requestTimeoutMs } = chromaTimeouts(timeouts);
  const { Agent } = loadUndici();
  return new Agent({
    connect: { timeout: connectTimeoutMs },
    headersTimeout: requestTimeoutMs,
    bodyTimeout: requestTimeoutMs,
  }).compose(requestDeadline(requestTimeoutMs));
}

/** The timeouts in force: those given, else the defaults. */
export function chromaTimeouts(timeouts: ChromaHttpTimeouts = {}): Required<ChromaHttpTimeouts> {
  return {
    connectTimeoutMs: positive(timeouts.connectTimeoutMs, CHROMA_CONNECT_TIMEOUT_MS),
    requestTimeoutMs: positive(timeouts.requestTimeoutMs, CHROMA_REQUEST_TIMEOUT_MS),
  };
}

function positive(value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new RangeError(
      `a Chroma timeout must be a positive number of milliseconds, not ${value}`,
    );
  return Math.ceil(value);
}

/**
 * `init` for Node's global fetch, sent through `dispatcher`. The global
 * fetch's types name the undici that Node bundles (6.x), the pool is undici
 * 7's; Node's fetch only calls its `dispatch`, which both versions share
 * (undici 7 takes the older handler callbacks too).
 */
export function throughDispatcher(init: RequestInit, dispatcher: Dispatcher): RequestInit {
  return { ...init, dispatcher } as unknown as RequestInit;
}
