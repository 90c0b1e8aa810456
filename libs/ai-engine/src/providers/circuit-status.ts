import { CircuitState } from 'cockatiel';

export type CircuitStatus = 'closed' | 'open' | 'half-open' | 'isolated';

const STATUS_OF_STATE: Record<CircuitState, CircuitStatus> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/**
 * A cockatiel breaker's state as readiness and metrics report it. cockatiel
 * moves an open circuit to half-open only when a call arrives after the open
 * period, so an idle gateway showed `open` for hours after an outage had
 * ended, while its next call would test the dependency. An open circuit
 * whose open period has passed (`openLeftMs` ≤ 0) is reported half-open:
 * the textbook state of a breaker that lets its next call through as a probe.
 */
export function reportedCircuitStatus(state: CircuitState, openLeftMs: number): CircuitStatus {
  if (state === CircuitState.Open && openLeftMs <= 0) return 'half-open';
  return STATUS_OF_STATE[state];
}
