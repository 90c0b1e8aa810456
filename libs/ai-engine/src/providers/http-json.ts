import { failureKindForStatus, ProviderError } from './provider-error';

export interface JsonRequest {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
  readonly signal: AbortSignal;
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * POSTs JSON and returns the parsed JSON answer; every failure becomes a
 * classified ProviderError, except an abort, which is the caller's timeout
 * and propagates as is.
 */
export async function postJson(provider: string, request: JsonRequest): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...request.headers,
      },
      body: JSON.stringify(request.body),
      signal: request.signal,
    });
  } catch (error) {
    if (request.signal.aborted) throw error;
    throw new ProviderError(provider, 'network', `request failed: ${(error as Error).message}`);
  }
  const text = await response.text().catch((error: Error) => {
    if (request.signal.aborted) throw error;
    throw new ProviderError(
      provider,
      'network',
      `response interrupted: ${error.message}`,
      response.status,
    );
  });
  const kind = failureKindForStatus(response.status);
  if (kind) {
    throw new ProviderError(
      provider,
      kind,
      `HTTP ${response.status}: ${text.slice(0, 200)}`,
      response.status,
      retryAfterMs(response.headers.get('retry-after')),
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ProviderError(
      provider,
      'malformed',
      `HTTP ${response.status} with a body that is not JSON`,
      response.status,
    );
  }
}
