/** An HTTP answer that grew past the most its reader takes. */
export class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError';
  constructor(readonly limitBytes: number) {
    super(`the answer is larger than ${limitBytes} bytes`);
  }
}

/**
 * The same answer, whose body fails with ResponseTooLargeError as soon as it
 * has delivered more than `limitBytes` (or at once when its content-length
 * says so): `json()` and `text()` reject instead of reading a runaway or
 * hostile body whole into memory, and the pipe's cancellation closes the
 * connection.
 */
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
