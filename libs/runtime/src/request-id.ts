import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';
/** Added by the AWS load balancer to every request it forwards. */
export const TRACE_ID_HEADER = 'x-amzn-trace-id';

const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/**
 * A field of the load balancer's trace header naming one request: `Self`,
 * which it adds when the caller sent a trace of its own (whose `Root` every
 * call of that trace shares), else `Root`, which it made for this request.
 */
const TRACE_SELF = /(?:^|;)Self=(1-[0-9a-f]{8}-[0-9a-f]{24})(?:;|$)/;
const TRACE_ROOT = /(?:^|;)Root=(1-[0-9a-f]{8}-[0-9a-f]{24})(?:;|$)/;
/** A trace header holds a few fields; anything longer is not the load balancer's. */
const MAX_TRACE_HEADER_LENGTH = 256;

/**
 * The request's id: the caller's `x-request-id` when it is safe to log and
 * echo (a service calling another passes its own on); else the load
 * balancer's own id of the request from its trace header (see TRACE_SELF),
 * which its access log entry holds too (`trace_id`); else a new one.
 */
export function requestIdFrom(headers: IncomingHttpHeaders): string {
  const given = firstValue(headers[REQUEST_ID_HEADER]);
  if (given !== undefined && ACCEPTABLE_REQUEST_ID.test(given)) return given;
  const trace = firstValue(headers[TRACE_ID_HEADER]);
  if (trace === undefined || trace.length > MAX_TRACE_HEADER_LENGTH) return randomUUID();
  return TRACE_SELF.exec(trace)?.[1] ?? TRACE_ROOT.exec(trace)?.[1] ?? randomUUID();
}

function firstValue(header: string | string[] | undefined): string | undefined {
  return Array.isArray(header) ? header[0] : header;
}
