import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

/**
 * Polls `probe` until it returns true; resolves with the milliseconds that
 * took, or undefined when `timeoutMs` passed first (the caller reports it).
 */
export async function timeUntil(
  probe: () => Promise<boolean>,
  { timeoutMs, intervalMs = 200 }: { timeoutMs: number; intervalMs?: number },
): Promise<number | undefined> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await probe().catch(() => false)) return Date.now() - started;
    await sleep(intervalMs);
  }
  return undefined;
}

export function seconds(ms: number | undefined): string {
  return ms === undefined ? 'never' : `${(ms / 1000).toFixed(1)} s`;
}
