import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import {
  NOT_FOR_CACHES,
  PROBLEM_CONTENT_TYPE,
  problemClientErrors,
  type Logger,
} from '@docuthinker/runtime';
import { problem } from '../errors';
import type { GatewayMetrics } from '../metrics/gateway-metrics';
import { observeWhenSent } from './request-metrics';
import { setSecurityHeaders } from './security-headers';

/**
 * Errors Fastify answers before routing (a URL that is not valid
 * percent-encoding, an over-long path parameter). Its default reply is its
 * own JSON shape; clients get the same problem+json as everywhere else,
 * with the same security headers, Cache-Control and metric (no hook runs
 * for these requests).
 */
export function frameworkErrors(metrics: GatewayMetrics) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const known =
      error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? problem('DT_ERR_URI_TOO_LONG')
        : problem('DT_ERR_VALIDATION', 'The URL is not valid percent-encoded UTF-8.');
    setSecurityHeaders(reply);
    observeWhenSent(metrics, request, reply);
    return reply
      .header('cache-control', NOT_FOR_CACHES)
      .status(known.status)
      .type(PROBLEM_CONTENT_TYPE)
      .send(JSON.stringify(known.toDocument(request.url.split('?')[0] ?? '', request.id)));
  };
}

/**
 * Requests Node's HTTP parser refuses or gives up on, answered in
 * problem+json, each with its log line (no handler ever sees them).
 */
export function clientErrorsLoggedTo(logger: Logger) {
  return problemClientErrors(problem, logger);
}
