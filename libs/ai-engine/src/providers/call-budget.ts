/**
 * Less time than this left and an attempt is not started: no provider answers
 * that fast, so it would only add load and, cut short, count as a timeout.
 */
export const MIN_ATTEMPT_MS = 50;

/**
 * How long one remote provider's turn (its attempts and the backoffs between
 * them) may last within a call's deadline.
 *
 * The rule: a turn gets the share of what is left of the deadline that its
 * provider's per-attempt timeout is of the timeouts of all the remote
 * providers still to be tried (itself included), and each attempt times out
 * at the shorter of the provider's own timeout and what is left of its turn.
 *
 * Why: a provider that hangs must end as a timeout inside its share, so that
 * its circuit breaker counts it and opens; if the deadline simply ran out in
 * its turn, nothing would be counted and every provider after it would be
 * skipped while healthy. Shares follow the timeouts because a provider
 * configured with a longer timeout (the upstream container's analysis) is
 * expected to need more of the budget. Each turn is sized from what is left
 * when it starts, so time a fast failure did not use goes to the providers
 * after it, and the last remote provider gets everything that is left.
 */
export function turnBudgetMs(
  remainingMs: number,
  ownTimeoutMs: number,
  laterTimeoutsMs: readonly number[],
): number {
  if (remainingMs <= 0) return 0;
  const total = laterTimeoutsMs.reduce((sum, timeoutMs) => sum + timeoutMs, ownTimeoutMs);
  return Math.floor((remainingMs * ownTimeoutMs) / total);
}
