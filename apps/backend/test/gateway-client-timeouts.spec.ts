import { gatewayFields } from '@docuthinker/config';
import { GATEWAY_CLIENT_DEFAULTS } from '../src/gateway/gateway-client';

describe('the backend waiting for the gateway', () => {
  // The gateway answers from its offline engine once its AI deadline passes;
  // the backend must still be waiting then, or users get a 503 instead.
  it('waits longer than the gateway takes to answer an AI call at the latest', () => {
    const deadline = gatewayFields.DOCUTHINKER_AI_DEADLINE_MS;
    const longestDeadlineMs = 45_000;
    expect(deadline.parse(undefined)).toBe(longestDeadlineMs);
    expect(deadline.parse(String(longestDeadlineMs))).toBe(longestDeadlineMs);
    // No configuration can make the gateway outlast the backend's wait.
    expect(deadline.safeParse(String(longestDeadlineMs + 1)).success).toBe(false);
    expect(GATEWAY_CLIENT_DEFAULTS.requestTimeoutMs).toBeGreaterThanOrEqual(
      longestDeadlineMs + 5_000,
    );
  });
});
