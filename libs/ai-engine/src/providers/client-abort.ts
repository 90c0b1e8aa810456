/**
 * The caller went away (its AbortSignal fired): nobody waits for the answer.
 * It says nothing about the provider that was being asked, so the chain
 * neither retries it nor counts it against the provider, and stops trying
 * further providers. Named AbortError like fetch's, for callers that check.
 */
export class ClientAbortedError extends Error {
  override readonly name = 'AbortError';
  constructor(signal: AbortSignal) {
    super('the caller aborted the request', { cause: signal.reason });
  }
}

/**
 * Settles with `work`, or rejects with ClientAbortedError as soon as `client`
 * aborts. The provider call is aborted through the same signal, but how it
 * then rejects (DOMException, an SDK's own abort error) varies by adapter;
 * this race makes a client abort recognisable whatever the adapter throws.
 */
export function untilClientLeaves<T>(work: Promise<T>, client?: AbortSignal): Promise<T> {
  if (!client) return work;
  if (client.aborted) {
    // Nobody will read `work`'s outcome: settle it quietly, or its rejection
    // would be unhandled (and end the process).
    work.catch(() => undefined);
    return Promise.reject(new ClientAbortedError(client));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new ClientAbortedError(client));
    client.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => client.removeEventListener('abort', onAbort));
  });
}
