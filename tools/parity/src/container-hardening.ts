/**
 * How a container is run, beside what it runs: the user, a read-only root,
 * the grace between SIGTERM and SIGKILL, and its health check's command and
 * timing. Each artifact states some of these; the parity check compares
 * what they state.
 */
export interface ContainerHardening {
  /** `uid:gid`. */
  readonly user?: string;
  readonly readOnlyRoot?: boolean;
  readonly stopTimeoutSeconds?: number;
  /** The health check's command, as exec-form words joined by spaces (`CMD node -e …`). */
  readonly healthCommand?: string;
  /** `interval 10 s, timeout 5 s, retries 3, start period 30 s`. */
  readonly healthTiming?: string;
}

/** Seconds of a compose or Dockerfile duration (`30s`, `1m30s`, `500ms`), or a plain number. */
export function durationSeconds(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001, us: 1e-6 };
  let total = 0;
  let matched = '';
  for (const [whole, amount, unit] of value.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us)/g)) {
    total += Number(amount) * (units[unit as string] ?? 0);
    matched += whole;
  }
  return matched === value.trim() && matched !== '' ? total : undefined;
}

export function healthTiming(timing: {
  interval?: number;
  timeout?: number;
  retries?: number;
  startPeriod?: number;
}): string {
  const show = (value: number | undefined, unit = ' s') =>
    value === undefined ? '(default)' : `${value}${unit}`;
  return (
    `interval ${show(timing.interval)}, timeout ${show(timing.timeout)}, ` +
    `retries ${show(timing.retries, '')}, start period ${show(timing.startPeriod)}`
  );
}

/** A health-check command in exec form, whichever way it was written. */
export function execFormCommand(words: readonly string[]): string {
  return words.join(' ');
}
