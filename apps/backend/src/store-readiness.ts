import type { DependencyCheck } from '@docuthinker/runtime';
import type { Stores, StoresHealth } from '@docuthinker/stores';

/** One probe of every store answers all the checks of one /ready request. */
const SHARED_PROBE_MS = 250;

/**
 * Readiness of the stores the backend cannot serve without: the data store
 * (documents, users, sessions, outbox) and the file store. Redis, when it is
 * configured, is reported too but does not count: without it requests are
 * still served, only slower, with limits counted in process (found in an
 * exploratory test: a REDIS_URL with a wrong password showed nowhere).
 */
export function storeReadinessChecks(
  stores: Pick<Stores, 'health' | 'adapters'>,
): DependencyCheck[] {
  let latest: { at: number; report: Promise<StoresHealth> } | undefined;
  const probe = () => {
    if (!latest || Date.now() - latest.at > SHARED_PROBE_MS) {
      latest = { at: Date.now(), report: stores.health() };
    }
    return latest.report;
  };
  const component = (name: 'data' | 'files' | 'cache'): DependencyCheck => ({
    name: `${name}:${stores.adapters[name]}`,
    check: async () => {
      const report = (await probe()).components[name];
      if (!report.ok) throw new Error(report.error ?? 'unavailable');
    },
    optional: name === 'cache',
  });
  return [
    component('data'),
    component('files'),
    ...(stores.adapters.cache === 'redis' ? [component('cache')] : []),
  ];
}
