/** What an adapter reports to the service's `/ready` route. */
export interface HealthReport {
  readonly ok: boolean;
  /** Which adapter answered, e.g. `libsql`, `mongodb`, `redis`, `s3`. */
  readonly adapter: string;
  readonly latencyMs: number;
  /** Why the dependency is not usable; never contains credentials. */
  readonly error?: string;
}

export interface HealthCheckable {
  /** Resolves (never rejects) within a bounded time, so `/ready` cannot hang. */
  health(): Promise<HealthReport>;
}

const DEFAULT_HEALTH_TIMEOUT_MS = 2000;

/**
 * What `/ready` shows for a failed probe: the error's message, or, where the
 * message says nothing (the AWS SDK's "UnknownError" for an answer without a
 * body, such as HeadBucket's), its name and HTTP status. Duck-typed: errors
 * may come from another realm (e.g. Node's own under jest).
 */
export function describeProbeFailure(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const { message, name, $metadata } = error as {
    message?: unknown;
    name?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  if (typeof message === 'string' && message !== '' && message !== 'UnknownError') return message;
  const label = typeof name === 'string' && name !== '' ? name : 'Error';
  const status = $metadata?.httpStatusCode;
  return typeof status === 'number' ? `${label} (HTTP ${status})` : label;
}

/**
 * Runs `probe` with a deadline and turns its outcome into a report. The
 * signal aborts at the deadline: a probe that can cancel its request should
 * pass it on, or each probe of a hung dependency keeps a pooled connection.
 */
export async function probeHealth(
  adapter: string,
  probe: (signal: AbortSignal) => Promise<unknown>,
  timeoutMs = DEFAULT_HEALTH_TIMEOUT_MS,
): Promise<HealthReport> {
  const started = performance.now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`no answer within ${timeoutMs} ms`));
      controller.abort();
    }, timeoutMs);
  });
  try {
    await Promise.race([probe(controller.signal), deadline]);
    return { ok: true, adapter, latencyMs: performance.now() - started };
  } catch (error) {
    return {
      ok: false,
      adapter,
      latencyMs: performance.now() - started,
      error: describeProbeFailure(error),
    };
  } finally {
    clearTimeout(timer);
  }
}
