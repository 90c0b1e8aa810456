import { gatewayFields } from '@docuthinker/config';
import { GATEWAY_CLIENT_DEFAULTS } from '../src/gateway/gateway-client';

describe('the backend waiting for the gateway', () => {
  // The gateway answers from its offline engine once its AI deadline passes;
  // the backend must still be waiting then, or users get a 503 instead.
  it('waits longer than the gateway takes to answer an AI call at the latest', () => {
    const gatewayDeadlineMs = gatewayFields.DOCUTHINKER_AI_DEADLINE_MS.parse(undefined);
    expect(gatewayDeadlineMs).toBe(45_000);
    expect(GATEWAY_CLIENT_DEFAULTS.requestTimeoutMs).toBeGreaterThanOrEqual(
      gatewayDeadlineMs + 5_000,
    );
  });
});
