import type { Request, Response } from 'express';
import type { GatewayCallContext } from '../gateway/gateway-client';

/**
 * The context of a gateway call made for a user's request: its request id,
 * for one id in both services' logs, and a signal aborted when the client
 * leaves before its answer is sent, which cancels the call (an AI answer
 * nobody reads is still paid for, and a chat turn would be stored that the
 * user never saw). `close` before `finish` is a client that left.
 */
export function gatewayCallContext(req: Request, res: Response): GatewayCallContext {
  const departure = new AbortController();
  // A client that left while the request was authenticated, read or
  // admitted: `close` has fired already, and listening for it now would
  // never abort (found in an exploratory test: abandoned chats were answered
  // by the gateway and stored as sessions nobody was told of).
  if (res.closed && !res.writableFinished) departure.abort();
  else {
    res.once('close', () => {
      if (!res.writableFinished) departure.abort();
    });
  }
  return { requestId: req.id, signal: departure.signal };
}
