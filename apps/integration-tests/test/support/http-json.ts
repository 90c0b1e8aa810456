import { setTimeout as sleep } from 'node:timers/promises';

export interface JsonAnswer<T> {
  readonly status: number;
  readonly body: T;
}

/** One HTTP call to a service of the topology; the body is JSON when there is one. */
export async function callJson<T = Record<string, unknown>>(
  url: string,
  init: { method?: string; token?: string; json?: unknown; form?: FormData } = {},
): Promise<JsonAnswer<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.token) headers['authorization'] = `Bearer ${init.token}`;
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, {
    method: init.method ?? (init.json !== undefined || init.form ? 'POST' : 'GET'),
    headers,
    body: init.form ?? (init.json === undefined ? undefined : JSON.stringify(init.json)),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/**
 * Polls `probe` until it returns a value: indexing and index removal go
 * through the backend's outbox, so they land a moment after the request.
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await sleep(500);
  }
  throw new Error(
    `${what}: not within ${timeoutMs} ms${lastError ? ` (last error: ${String(lastError)})` : ''}`,
  );
}

/** Whitespace collapsed, so a passage matches however the chunker wrapped it. */
export const normalise = (text: string) => text.replace(/\s+/g, ' ').trim();
