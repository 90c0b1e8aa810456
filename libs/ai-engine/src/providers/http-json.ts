import { failureKindForStatus, ProviderError } from './provider-error';
import { MAX_PROVIDER_RESPONSE_BYTES, PROVIDER_REDIRECTS } from './response-size-limit';
import { isResponseTooLarge, limitBody, retryAfterFromHeaders } from '@docuthinker/runtime';

export interface JsonRequest {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
  readonly signal: AbortSignal;
  /** MAX_PROVIDER_RESPONSE_BYTES by default. */
  readonly maxResponseBytes?: number;
}

/**
 * POSTs JSON and returns the parsed JSON answer, for the FastAPI upstream (the
 * LLM vendors go through their SDKs); every failure becomes a classified
 * ProviderError, except an abort, which is the caller's timeout and
 * propagates as is.
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
      redirect: PROVIDER_REDIRECTS,
    });
  } catch (error) {
    if (request.signal.aborted) throw error;
    throw new ProviderError(provider, 'network', `request failed: ${(error as Error).message}`);
  }
  const limit = request.maxResponseBytes ?? MAX_PROVIDER_RESPONSE_BYTES;
  const text = await limitBody(response, limit)
    .text()
    .catch((error: Error) => {
      if (request.signal.aborted) throw error;
      throw new ProviderError(
        provider,
        isResponseTooLarge(error) ? 'malformed' : 'network',
        `response interrupted: ${error.message}`,
        response.status,
      );
    });
  const kind = failureKindForStatus(response.status);
  // The status only: the container's error body can quote the document it was sent.
  if (kind) {
    throw new ProviderError(provider, kind, `HTTP ${response.status}`, response.status, {
      retryAfterMs: retryAfterFromHeaders(response.headers),
    });
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
