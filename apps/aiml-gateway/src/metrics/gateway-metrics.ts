import type { CircuitStatus, ProviderAttempt } from '@docuthinker/ai-engine';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface CircuitReading {
  readonly circuit: string;
  readonly state: CircuitStatus;
}

/** Gauge values of circuit states, so alerts can say `> 0` for "not closed". */
const CIRCUIT_VALUE: Record<CircuitStatus, number> = {
  closed: 0,
  'half-open': 1,
  open: 2,
  isolated: 3,
};

/**
 * The gateway's Prometheus metrics in a registry of its own (one per app, so
 * tests can build several). Circuit states are read at scrape time from the
 * sources registered with `watchCircuits`.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly circuitSources: Array<() => readonly CircuitReading[]> = [];

  readonly requestDuration = new Histogram({
    name: 'docuthinker_gateway_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly providerAttempts = new Counter({
    name: 'docuthinker_gateway_provider_attempts_total',
    help: 'Provider attempts by provider, task and outcome',
    labelNames: ['provider', 'task', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly providerFailures = new Counter({
    name: 'docuthinker_gateway_provider_failures_total',
    help: 'Provider attempts that failed, timed out or met an open circuit',
    labelNames: ['provider', 'task', 'outcome'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'docuthinker_gateway_' });
    const sources = this.circuitSources;
    new Gauge({
      name: 'docuthinker_gateway_circuit_state',
      help: 'Circuit breaker state per provider: 0 closed, 1 half-open, 2 open, 3 isolated',
      labelNames: ['circuit'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const source of sources) {
          for (const { circuit, state } of source()) this.set({ circuit }, CIRCUIT_VALUE[state]);
        }
      },
    });
  }

  /** For the engine's `onAttempt`. */
  readonly recordProviderAttempt = (attempt: ProviderAttempt): void => {
    const labels = { provider: attempt.provider, task: attempt.task, outcome: attempt.outcome };
    this.providerAttempts.inc(labels);
    if (attempt.outcome !== 'success' && attempt.outcome !== 'unsupported') {
      this.providerFailures.inc(labels);
    }
  };

  watchCircuits(source: () => readonly CircuitReading[]): void {
    this.circuitSources.push(source);
  }
}
