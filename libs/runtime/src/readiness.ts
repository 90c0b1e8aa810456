/** One dependency a service needs in order to serve traffic. */
export interface DependencyCheck {
  name: string;
  /** Resolves when the dependency answers; rejects with a short reason otherwise. */
  check: () => Promise<void>;
  /**
   * Reported, but the service serves without it (the backend's Redis): its
   * being down does not make the service unavailable.
   */
  optional?: boolean;
}

export interface DependencyStatus {
  status: 'up' | 'down';
  latencyMs: number;
  detail?: string;
}

export interface ReadinessReport {
  status: 'ready' | 'unavailable';
  dependencies: Record<string, DependencyStatus>;
}

/**
 * Runs every check in parallel with a deadline each, so one hung dependency
 * makes /ready answer 503 promptly instead of hanging the probe.
 */
export async function checkReadiness(
  checks: readonly DependencyCheck[],
  timeoutMs = 2000,
): Promise<ReadinessReport> {
  const entries = await Promise.all(
    checks.map(async ({ name, check }): Promise<[string, DependencyStatus]> => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          check(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`no answer within ${timeoutMs} ms`)),
              timeoutMs,
            );
          }),
        ]);
        return [name, { status: 'up', latencyMs: Math.round(performance.now() - started) }];
      } catch (error) {
        return [
          name,
          {
            status: 'down',
            latencyMs: Math.round(performance.now() - started),
            detail: (error as Error).message || 'unavailable',
          },
        ];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const dependencies = Object.fromEntries(entries);
  const ready = entries.every(
    ([, status], index) => status.status === 'up' || checks[index]?.optional === true,
  );
  return { status: ready ? 'ready' : 'unavailable', dependencies };
}
