import type { AiEngineConfig } from '@docuthinker/ai-engine';
import type { Logger } from '@docuthinker/runtime';
import { requestIdOf } from '../http/client-abort-signal';
import type { GatewayMetrics } from '../metrics/gateway-metrics';

/** What the engine tells of its providers, and where the gateway sends it. */
export type ProviderEvents = Required<
  Pick<AiEngineConfig, 'onAttempt' | 'onFailover' | 'onCircuitChange' | 'onKeyQuarantined'>
>;

/**
 * Metrics for every provider attempt, and log lines for what an operator
 * must be able to find afterwards: each provider that failed in a call that
 * another provider (or the offline engine) then served, once per call and
 * provider, not per retry; a circuit opening and closing, once each, rather
 * than every call it turns away; a key taken out of rotation. A call no
 * provider served needs no line here: its 503 is logged with every
 * provider's failure (see problem-responses). Lines name the provider, the
 * task and how it failed (its kind, HTTP status and the API's error code when
 * it is a known one), never the provider's error text, which may quote its
 * answer, the request's text or a key. Each line's fields are picked one by
 * one, so that a field added to an event is not logged unread.
 */
export function providerEvents(logger: Logger, metrics: GatewayMetrics): ProviderEvents {
  return {
    onAttempt: metrics.recordProviderAttempt,
    onFailover: ({ task, servedBy, failed }, caller) => {
      const reqId = requestIdOf(caller);
      for (const { provider, outcome, kind, status, code, retryAfterMs, durationMs } of failed) {
        const reason = kind ?? outcome;
        logger.warn(
          {
            ...(reqId === undefined ? {} : { reqId }),
            provider,
            task,
            reason,
            ...(status === undefined ? {} : { status }),
            ...(code === undefined ? {} : { code }),
            ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
            durationMs,
            servedBy,
          },
          `${provider} failed (${reason}${status === undefined ? '' : `, HTTP ${status}`}): ${servedBy} served the ${task} call`,
        );
      }
    },
    onCircuitChange: ({ provider, state, openForMs, reopened }) => {
      if (state === 'closed') {
        logger.info(
          { provider, circuit: state },
          `${provider}'s circuit closed: the call testing it was answered`,
        );
      } else {
        logger.warn(
          { provider, circuit: state, openForMs },
          reopened
            ? `${provider}'s circuit stays open: the call testing it failed; calls pass ${provider} over for another ${openForMs} ms`
            : `${provider}'s circuit opened after consecutive failed calls: calls pass ${provider} over for ${openForMs} ms, then one tests it`,
        );
      }
    },
    // A revoked key is out of rotation for an hour; operators need to hear it once, not per request.
    onKeyQuarantined: ({ provider, key, status, code, quarantineMs }) =>
      logger.warn(
        {
          provider,
          key,
          ...(status === undefined ? {} : { status }),
          ...(code === undefined ? {} : { code }),
          quarantineMs,
        },
        'provider API key refused (401/403): quarantined, the pool serves without it',
      ),
  };
}
