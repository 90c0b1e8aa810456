/**
 * The gateway could not be reached, timed out, failed, or its circuit is
 * open. Callers either degrade (the outbox retries later) or answer 503.
 */
export class GatewayUnavailableError extends Error {
  override readonly name = 'GatewayUnavailableError';
  constructor(
    readonly reason: string,
    /**
     * When a retry has a chance: the gateway's Retry-After, and for a failure
     * of the gateway's own, at least the breaker's half-open delay.
     */
    readonly retryAfterSeconds: number,
    /** The gateway's own Retry-After, when it sent one. */
    readonly gatewayRetryAfterSeconds?: number,
  ) {
    super(`AI/ML gateway unavailable: ${reason}`);
  }
}

/**
 * The gateway refused the request (a 4xx, a 501, or a 502 saying a store
 * refused the document's records): retrying the same request will not help. `detail` is the gateway's own text, kept off the log line (see loggedDetail): it can name
 * the gateway's configuration and is not shown to users (except 501's list
 * of providers, written for them).
 */
export class GatewayRejectedError extends Error {
  override readonly name = 'GatewayRejectedError';
  constructor(
    readonly status: number,
    readonly detail: string,
    /** The gateway's problem code, when it answered problem+json. */
    readonly code?: string,
  ) {
    super(
      `AI/ML gateway rejected the request (${status}${code ? ` ${code}` : ''})${loggedDetail(status, detail)}`,
    );
    // Not enumerable: pino's error serializer copies enumerable properties
    // into the log line, and the message already holds what may be logged.
    Object.defineProperty(this, 'detail', { enumerable: false });
  }
}

/** The longest part of the gateway's detail a log line carries. */
const LOGGED_DETAIL_CHARACTERS = 300;

/**
 * What of the gateway's detail goes into the message, which is logged: a
 * 501's detail is written for the user and quotes the request (the style
 * or the instruction that cannot be followed), so none of it; any other is
 * the gateway's own wording about the call, on one line and bounded.
 */
function loggedDetail(status: number, detail: string): string {
  if (status === 501) return '';
  const line = detail.replace(/\p{Cc}+/gu, ' ');
  return `: ${line.length > LOGGED_DETAIL_CHARACTERS ? `${line.slice(0, LOGGED_DETAIL_CHARACTERS)}…` : line}`;
}

/**
 * The user's client left before the gateway answered, and the call was
 * cancelled with it: nobody is left to answer, and a provider would only
 * have been paid for an answer nobody reads (or a chat turn stored that the
 * user never saw). Neither a gateway failure nor the request's.
 */
export class CallerLeftError extends Error {
  override readonly name = 'CallerLeftError';
  constructor(
    message = 'the client left before the AI/ML gateway answered; the call was cancelled',
  ) {
    super(message);
  }
}

/**
 * A streamed reply broke off after it began: the gateway's provider failed
 * mid-reply (its `error` event), or the stream itself broke, stalled or left
 * the contract. What was relayed is an incomplete reply and no turn is
 * stored; the user asks again. `reason` is for the log, not the user.
 */
export class AnswerInterruptedError extends Error {
  override readonly name = 'AnswerInterruptedError';
  constructor(readonly reason: string) {
    super(`the AI/ML gateway's reply broke off: ${reason}`);
  }
}
