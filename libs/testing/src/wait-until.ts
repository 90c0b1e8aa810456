import { setTimeout as delay } from 'node:timers/promises';

/** Thrown by a probe when waiting on can no longer help (the process it waits for exited). */
export class StopWaiting extends Error {}

/**
 * Polls `probe` until it returns true or `timeoutMs` passes; throws with
 * `what` on timeout. A probe's error counts as not yet, but StopWaiting.
 */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  { timeoutMs = 15000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ready = await probe().catch((error: unknown) => {
      if (error instanceof StopWaiting) throw error;
      return false;
    });
    if (ready) return;
    await delay(intervalMs);
  }
  throw new Error(`${what} was not ready within ${timeoutMs} ms`);
}

/** True when `url` answers with a status below 500. */
export async function httpAnswers(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
  await response.arrayBuffer();
  return response.status < 500;
}
