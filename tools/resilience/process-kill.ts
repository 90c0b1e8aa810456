import { readdirSync, readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import type { RunningService } from '@docuthinker/testing';

/**
 * The harness runs each server under a supervisor (libs/testing); a crash is
 * simulated by SIGKILL to the server itself, which the supervisor then sees
 * exit, as an orchestrator would.
 */
function childPidsOf(pid: number): number[] {
  // From /proc rather than `ps`, which slim images lack.
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: fields start after the last ')'.
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === pid) children.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return children;
}

async function waitForExit(pid: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`process ${pid} still alive after SIGKILL`);
}

/** kill -9 of the server a supervisor runs, then waits until the supervisor has gone too. */
export async function crashSupervisedService(service: RunningService): Promise<void> {
  const [server] = childPidsOf(service.pid);
  if (server === undefined)
    throw new Error(`${service.name}: no server process under ${service.pid}`);
  process.kill(server, 'SIGKILL');
  await waitForExit(server);
  await waitForExit(service.pid);
}

/** A short-lived client for looking into Redis from the suite. */
export async function withRedis<T>(url: string, work: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    client.disconnect();
  }
}

export function countCacheKeys(url: string): Promise<number> {
  return withRedis(url, async (client) => (await client.keys('docuthinker:cache:*')).length);
}
