import { Gauge, type Registry } from 'prom-client';
import { OUTBOX_JOB_KINDS, type OutboxStore } from '@docuthinker/stores';

/**
 * Jobs waiting for the gateway, read from the store at scrape time: a
 * growing count means indexing is falling behind (gateway down or slow).
 */
export function registerOutboxMetrics(registry: Registry, outbox: OutboxStore): void {
  new Gauge({
    name: 'docuthinker_outbox_pending_jobs',
    help: 'Outbox jobs not yet confirmed by the AI/ML gateway, by kind; purge includes the delayed second purge of each account erased in the last 25 min',
    labelNames: ['kind'] as const,
    registers: [registry],
    async collect() {
      // A store that is down leaves the last values; /ready reports the outage.
      const counts = await outbox.pendingCounts().catch(() => undefined);
      if (!counts) return;
      for (const kind of OUTBOX_JOB_KINDS) this.set({ kind }, counts[kind]);
    },
  });
}
