import type { Request, Response } from 'express';
import { clientDepartureSignal } from '@docuthinker/runtime';
import type { GatewayCallContext } from '../gateway/gateway-client';

/**
 * The context of a gateway call made for a user's request: its request id,
 * for one id in both services' logs, and a signal aborted when the client
 * leaves before its answer is sent, which cancels the call (an AI answer
 * nobody reads is still paid for, and a chat turn would be stored that the
 * user never saw).
 */
export function gatewayCallContext(req: Request, res: Response): GatewayCallContext {
  return { requestId: req.id, signal: clientDepartureSignal(res) };
}
