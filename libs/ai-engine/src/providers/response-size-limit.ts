/**
 * The most a provider answer may hold. A chat completion or a batch of 96
 * embeddings is well under 2 MB; without a cap, one runaway or hostile answer
 * (a 200 MB body cost ~627 MB of RSS) is read whole into memory.
 */
export const MAX_PROVIDER_RESPONSE_BYTES = 16 * 1024 * 1024;

/** A provider answer that grew past the cap; classified as malformed. */
export class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError';
  constructor(readonly limitBytes: number) {
    super(`the answer is larger than ${limitBytes} bytes`);
  }
}

/** Fails the body as soon as it has delivered more than `limitBytes`. */
export function limitBody(response: Response, limitBytes: number): Response {
  if (!response.body) return response;
  const declared = Number(response.headers.get('content-length'));
  let received = 0;
  const counted = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      start(controller) {
        // Refuse a declared over-size body before a byte of it is buffered.
        if (declared > limitBytes) controller.error(new ResponseTooLargeError(limitBytes));
      },
      transform(chunk, controller) {
        received += chunk.byteLength;
        if (received > limitBytes) controller.error(new ResponseTooLargeError(limitBytes));
        else controller.enqueue(chunk);
      },
    }),
  );
  return new Response(counted, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

/**
 * A `fetch` for the SDKs whose answers stop at `limitBytes`: reading more
 * makes the SDK's own `json()`/`text()` reject with ResponseTooLargeError,
 * and the pipe's cancellation closes the connection.
 */
export function sizeLimitedFetch(limitBytes = MAX_PROVIDER_RESPONSE_BYTES): typeof fetch {
  return async (input, init) => limitBody(await fetch(input, init), limitBytes);
}

/** Whether `error`, or an error it was caused by, is an over-size answer. */
export function isResponseTooLarge(error: unknown): boolean {
  // Not `instanceof Error`: undici's errors belong to Node's own realm, not always this code's.
  for (
    let current = error;
    typeof current === 'object' && current !== null;
    current = (current as Error).cause
  ) {
    if (current instanceof ResponseTooLargeError) return true;
  }
  return false;
}
