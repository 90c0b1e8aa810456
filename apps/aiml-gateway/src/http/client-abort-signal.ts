import type { FastifyReply } from 'fastify';
import { clientDepartureSignal } from '@docuthinker/runtime';

/**
 * The request each signal made by clientAbortSignal belongs to. The engine
 * passes a call's signal back with what it tells of the call (a failover),
 * so a log line written there can name its request (see requestIdOf).
 */
const requestIds = new WeakMap<AbortSignal, string>();

/**
 * Aborts when the client goes away before its answer is written, so a
 * provider call nobody waits for any more is cancelled rather than paid for.
 */
export function clientAbortSignal(reply: FastifyReply): AbortSignal {
  const signal = clientDepartureSignal(reply.raw);
  requestIds.set(signal, reply.request.id);
  return signal;
}

/** The id of the request `signal` was made for by clientAbortSignal; undefined for any other. */
export function requestIdOf(signal: AbortSignal | undefined): string | undefined {
  return signal && requestIds.get(signal);
}
