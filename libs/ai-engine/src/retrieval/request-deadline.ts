import type { Dispatcher } from 'undici';

/** A request to a store still unanswered, or its answer not read to the end, at its deadline. */
export class RequestDeadlineError extends Error {
  override readonly name = 'RequestDeadlineError';
  /** As Node's own socket timeouts: a network failure to whatever classifies errors by code. */
  readonly code = 'ETIMEDOUT';

  constructor(readonly timeoutMs: number) {
    super(`no complete answer within ${timeoutMs} ms`);
  }
}

/**
 * An undici interceptor that aborts each request still running `timeoutMs`
 * after it was dispatched: connecting, sending, waiting for the headers and
 * reading the body all count. undici's own `headersTimeout` and
 * `bodyTimeout` restart at every byte, so a server that trickles its answer
 * (a byte a second) is never timed out by them; this deadline does. The
 * abort fails the fetch, or the reading of its body, with a
 * RequestDeadlineError as the cause.
 */
export function requestDeadline(timeoutMs: number): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (options, handler) => {
    let controller: Dispatcher.DispatchController | undefined;
    let expired: RequestDeadlineError | undefined;
    const timer = setTimeout(() => {
      expired = new RequestDeadlineError(timeoutMs);
      // Before the request is on a connection there is nothing to abort yet
      // (the connect timeout bounds that wait): it is aborted when it starts.
      controller?.abort(expired);
    }, timeoutMs);
    timer.unref();
    return dispatch(options, {
      onRequestStart(started, context) {
        controller = started;
        handler.onRequestStart?.(started, context);
        if (expired && !started.aborted) started.abort(expired);
      },
      onRequestUpgrade(current, statusCode, headers, socket) {
        handler.onRequestUpgrade?.(current, statusCode, headers, socket);
      },
      onResponseStart(current, statusCode, headers, statusMessage) {
        handler.onResponseStart?.(current, statusCode, headers, statusMessage);
      },
      onResponseData(current, chunk) {
        handler.onResponseData?.(current, chunk);
      },
      onResponseEnd(current, trailers) {
        clearTimeout(timer);
        handler.onResponseEnd?.(current, trailers);
      },
      onResponseError(current, error) {
        clearTimeout(timer);
        handler.onResponseError?.(current, error);
      },
    });
  };
}
