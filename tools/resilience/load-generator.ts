import type { ApiAnswer } from './api-client';

/**
 * One kind of request the load sends. `accept` says which answers are right
 * for it in this scenario; anything else, a network error or a timeout is a
 * failed request.
 */
export interface LoadOperation {
  readonly name: string;
  send(serial: number): Promise<ApiAnswer>;
  accept(answer: ApiAnswer): boolean;
  /** Told about every accepted answer, e.g. to remember acknowledged writes. */
  onAccepted?(answer: ApiAnswer, serial: number): void;
}

export interface LoadFailure {
  readonly operation: string;
  readonly atMs: number;
  readonly what: string;
}

export interface LoadReport {
  readonly requests: number;
  readonly failed: number;
  readonly failures: readonly LoadFailure[];
  readonly byOperation: Readonly<Record<string, { requests: number; failed: number }>>;
  /** Highest latency of an accepted answer. */
  readonly maxMs: number;
  readonly durationMs: number;
}

export interface RunningLoad {
  /** Stops issuing requests, waits for the ones in flight and reports. */
  stop(): Promise<LoadReport>;
}

/**
 * Plain fetch loops (not autocannon): each request is checked against what
 * the scenario expects and failures are named, which a throughput tool
 * would only count.
 */
export function startLoad(
  operations: readonly LoadOperation[],
  { concurrency }: { concurrency: number },
): RunningLoad {
  const started = performance.now();
  const byOperation: Record<string, { requests: number; failed: number }> = {};
  const failures: LoadFailure[] = [];
  let requests = 0;
  let failed = 0;
  let maxMs = 0;
  let serial = 0;
  let stopping = false;

  const record = (operation: LoadOperation, failure: string | undefined) => {
    const counts = (byOperation[operation.name] ??= { requests: 0, failed: 0 });
    counts.requests += 1;
    requests += 1;
    if (failure !== undefined) {
      counts.failed += 1;
      failed += 1;
      failures.push({
        operation: operation.name,
        atMs: Math.round(performance.now() - started),
        what: failure,
      });
    }
  };

  async function loop(worker: number): Promise<void> {
    for (let turn = worker; !stopping; turn += 1) {
      const operation = operations[turn % operations.length];
      if (!operation) return;
      const mine = (serial += 1);
      try {
        const answer = await operation.send(mine);
        if (operation.accept(answer)) {
          maxMs = Math.max(maxMs, answer.ms);
          operation.onAccepted?.(answer, mine);
          record(operation, undefined);
        } else {
          const code = (answer.body as { code?: string } | undefined)?.code;
          record(operation, `HTTP ${answer.status}${code ? ` ${code}` : ''}`);
        }
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code;
        record(operation, `${(error as Error).name}${cause ? ` ${cause}` : ''}`);
      }
    }
  }

  const loops = Array.from({ length: concurrency }, (_, worker) => loop(worker));
  return {
    async stop() {
      stopping = true;
      await Promise.all(loops);
      return {
        requests,
        failed,
        failures,
        byOperation,
        maxMs: Math.round(maxMs),
        durationMs: Math.round(performance.now() - started),
      };
    },
  };
}

/** "3 failed of 1200 (upload: 3 × HTTP 502)" */
export function describeLoad(report: LoadReport): string {
  if (report.failed === 0) return `${report.requests} requests, 0 failed`;
  const kinds = new Map<string, number>();
  for (const failure of report.failures) {
    const key = `${failure.operation}: ${failure.what}`;
    kinds.set(key, (kinds.get(key) ?? 0) + 1);
  }
  const detail = [...kinds.entries()].map(([key, count]) => `${count} × ${key}`).join(', ');
  return `${report.requests} requests, ${report.failed} failed (${detail})`;
}
