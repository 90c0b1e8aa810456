/**
 * The reason an attempt's signal carries when the attempt ran out of time
 * (ProviderGuard's per-attempt timeout), as opposed to the caller leaving:
 * a key pool rests a key that let an attempt hang (see withPooledKey).
 */
export class AttemptTimedOut extends Error {
  override readonly name = 'AttemptTimedOut';
  constructor() {
    super('the provider attempt ran out of time');
  }
}

/** True when `signal` was aborted because its attempt ran out of time. */
export function timedOut(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && signal.reason instanceof AttemptTimedOut;
}

/**
 * `signal` (cockatiel's timeout signal) with AttemptTimedOut as its reason
 * once it aborts, so the provider call can tell a timeout from the caller's
 * abort. Where the caller's signal is the timeout's parent (`client`), an
 * abort it caused keeps the caller's reason.
 */
export function withTimeoutReason(signal: AbortSignal, client?: AbortSignal): AbortSignal {
  const labelled = new AbortController();
  const relay = () => labelled.abort(client?.aborted ? client.reason : new AttemptTimedOut());
  if (signal.aborted) relay();
  else signal.addEventListener('abort', relay, { once: true });
  return labelled.signal;
}
