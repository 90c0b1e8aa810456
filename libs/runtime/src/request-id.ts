import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';
/** Added by the AWS load balancer to every request it forwards. */
export const TRACE_ID_HEADER = 'x-amzn-trace-id';

const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** The trace's root as the load balancer's access logs show it: `Root=1-<8 hex>-<24 hex>`. */
const TRACE_ROOT = /(?:^|;)Root=(1-[0-9a-f]{8}-[0-9a-f]{24})(?:;|$)/;
/** A trace header holds a few fields; anything longer is not the load balancer's. */
const MAX_TRACE_HEADER_LENGTH = 256;

/**
 * The request's id: the caller's `x-request-id` when it is safe to log and
 * echo (a service calling another passes its own on); else the load
 * balancer's trace root, so that a line of ours and the load balancer's
 * access log entry of the same request share one id; else a new one.
 */
export function requestIdFrom(headers: IncomingHttpHeaders): string {
  const given = firstValue(headers[REQUEST_ID_HEADER]);
  if (given !== undefined && ACCEPTABLE_REQUEST_ID.test(given)) return given;
  const trace = firstValue(headers[TRACE_ID_HEADER]);
  const root =
    trace !== undefined && trace.length <= MAX_TRACE_HEADER_LENGTH
      ? TRACE_ROOT.exec(trace)?.[1]
      : undefined;
  return root ?? randomUUID();
}

function firstValue(header: string | string[] | undefined): string | undefined {
  return Array.isArray(header) ? header[0] : header;
}
