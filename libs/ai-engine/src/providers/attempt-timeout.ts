import { TaskCancelledError } from 'cockatiel';

/**
 * The reason an attempt's signal carries when the attempt ran out of the
 * time it was given (ProviderGuard) and that time was long enough to say the
 * key hung (see tellsOfKey), as opposed to the caller leaving or a cut too
 * short to judge by: a key pool rests a key that let such an attempt hang
 * (see withPooledKey).
 */
export class AttemptTimedOut extends Error {
  override readonly name = 'AttemptTimedOut';
  constructor() {
    super('the provider attempt ran out of time');
  }
}

/**
 * An attempt that ran out of a time that says nothing of its provider: a
 * turn too short to judge by (see tellsOfKey), or a streamed answer that was
 * still coming when the call's deadline came. A timeout all the same (the
 * chain reports it as one), but it does not count against the provider's
 * circuit. Counted, a healthy provider given a few hundred milliseconds of an
 * `/analyze` fallback's deadline, three times, was taken away from every
 * user for the open period (review).
 */
export class TimeTooShortToJudge extends TaskCancelledError {
  override readonly name = 'TimeTooShortToJudge';
}

/**
 * The share of its full turn (the turn a call with the chain's whole deadline
 * gives its provider, up to the provider's per-attempt timeout: see
 * ProviderTurn.fullMs) an attempt must have been given for its running out
 * to count against its key and its provider's circuit.
 *
 * Why a share and not the whole timeout: with two or more remote providers,
 * a turn is a share of the call's deadline (45 s × 30/90 = 15 s for each of
 * three hosted providers, 22.5 s for each of two, 9 s for a hosted provider
 * after a hung upstream's 18 s), always shorter than the 30 s timeout; judged
 * by the whole timeout only, a hung key was never rested and round-robin
 * handed it every Nth call. A quarter (3.75 s of the 15 s turn of each of
 * three hosted providers, 7.5 s for one alone) still passes all those turns,
 * and so does the turn of a deadline configured shorter. A healthy key whose
 * model is slow on a long document can be
 * rested too: the call had already moved on to the next provider, and the
 * rest costs the pool that key for 30 s, the price of not handing a hung
 * key every Nth call a whole turn. What is
 * left of a turn after earlier providers (or an earlier attempt and its
 * backoff) spent nearly all of the deadline is shorter, and a key is not
 * blamed for not answering in a few hundred milliseconds.
 */
export const KEY_JUDGING_SHARE = 0.25;

/** Whether an attempt given `attemptMs` of its full turn `judgedFromMs` says the key hung when it runs out. */
export function tellsOfKey(attemptMs: number, judgedFromMs: number): boolean {
  return attemptMs >= judgedFromMs * KEY_JUDGING_SHARE;
}

/** True when `signal` was aborted because its attempt ran out of time long enough to judge its key. */
export function timedOut(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && signal.reason instanceof AttemptTimedOut;
}

export interface TimeoutReasonOptions {
  /** The caller's signal, where it is the timeout's parent: an abort it caused keeps its reason. */
  readonly client?: AbortSignal;
  /**
   * False when the attempt was given too little time to judge its key by
   * (see tellsOfKey): running out of that says nothing of the key.
   */
  readonly judgesKey: boolean;
}

/**
 * `signal` (cockatiel's timeout signal) relayed to a signal whose reason,
 * once it aborts, says whether the attempt ran out of time long enough to
 * judge its key, so the provider call can tell that from the caller leaving.
 */
export function withTimeoutReason(
  signal: AbortSignal,
  { client, judgesKey }: TimeoutReasonOptions,
): AbortSignal {
  const labelled = new AbortController();
  const relay = () => {
    if (client?.aborted) labelled.abort(client.reason);
    else if (judgesKey) labelled.abort(new AttemptTimedOut());
    else labelled.abort(signal.reason);
  };
  if (signal.aborted) relay();
  else signal.addEventListener('abort', relay, { once: true });
  return labelled.signal;
}
