/**
 * The reason an attempt's signal carries when the attempt used up its
 * provider's whole per-attempt timeout (ProviderGuard), as opposed to the
 * caller leaving or the end of the call's deadline cutting it short: a key
 * pool rests a key that let such an attempt hang (see withPooledKey).
 */
export class AttemptTimedOut extends Error {
  override readonly name = 'AttemptTimedOut';
  constructor() {
    super('the provider attempt ran out of time');
  }
}

/** True when `signal` was aborted because its attempt used up its whole timeout. */
export function timedOut(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && signal.reason instanceof AttemptTimedOut;
}

export interface TimeoutReasonOptions {
  /** The caller's signal, where it is the timeout's parent: an abort it caused keeps its reason. */
  readonly client?: AbortSignal;
  /**
   * False when the attempt was given less than its provider's timeout (the
   * end of the call's deadline): running out of that says nothing of the key.
   */
  readonly wholeTimeout: boolean;
}

/**
 * `signal` (cockatiel's timeout signal) relayed to a signal whose reason,
 * once it aborts, says whether the attempt ran out of its whole timeout, so
 * the provider call can tell that from the caller leaving.
 */
export function withTimeoutReason(
  signal: AbortSignal,
  { client, wholeTimeout }: TimeoutReasonOptions,
): AbortSignal {
  const labelled = new AbortController();
  const relay = () => {
    if (client?.aborted) labelled.abort(client.reason);
    else if (wholeTimeout) labelled.abort(new AttemptTimedOut());
    else labelled.abort(signal.reason);
  };
  if (signal.aborted) relay();
  else signal.addEventListener('abort', relay, { once: true });
  return labelled.signal;
}
