/**
 * How much load each scenario applies. The short mode keeps every check and
 * only shrinks the numbers, so `.ci/run` exercises the same failure paths.
 */
export interface SuiteOptions {
  readonly short: boolean;
  /** Concurrent request loops in a load phase. */
  readonly concurrency: number;
  /** How long load runs before and after a fault (ms). */
  readonly loadPhaseMs: number;
  /** Documents uploaded while a store or the gateway is down. */
  readonly uploadsDuringOutage: number;
  /** How long to wait for derived indexes to catch up after a restart (ms). */
  readonly catchUpTimeoutMs: number;
  /** `--only=redis,crash`: run some scenarios while working on them (docs/resilience.md is then left alone). */
  readonly only?: readonly string[];
}

export function suiteOptions(argv: readonly string[], env: NodeJS.ProcessEnv): SuiteOptions {
  const short = argv.includes('--short') || env['RESILIENCE_SHORT'] === '1';
  const only = argv
    .find((arg) => arg.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',');
  const sizes = short
    ? {
        short: true,
        concurrency: 4,
        loadPhaseMs: 2000,
        uploadsDuringOutage: 12,
        catchUpTimeoutMs: 60_000,
      }
    : {
        short: false,
        concurrency: 8,
        loadPhaseMs: 10_000,
        uploadsDuringOutage: 60,
        catchUpTimeoutMs: 120_000,
      };
  return { ...sizes, ...(only ? { only } : {}) };
}
