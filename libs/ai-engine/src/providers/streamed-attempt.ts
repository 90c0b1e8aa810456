import { TaskCancelledError } from 'cockatiel';
import { AttemptTimedOut, TimeTooShortToJudge } from './attempt-timeout';

/** What the guard is told of a streamed call's answer (see ProviderChain.streamAnswer). */
export interface StreamedTurn {
  /** When the answer's latest piece went to its reader (performance.now()); undefined before the first. */
  readonly lastPieceAt: () => number | undefined;
  /** When an answer that has begun must be complete: the call's deadline (performance.now()). */
  readonly endsAt: number;
}

export interface StreamedAttemptTiming {
  /** Until the first piece: the attempt's timeout, as for any attempt. */
  readonly timeoutMs: number;
  /** After it: the longest wait for the next piece (the provider's own timeout). */
  readonly idleMs: number;
  /** Whether running out of `timeoutMs` says the key hung (see tellsOfKey). */
  readonly judgesKey: boolean;
}

/**
 * One attempt of a streamed call. Until the answer's first piece it has its
 * timeout, a share of the call's deadline like any attempt's, so that a
 * provider that does not begin leaves time for the next one. Once begun, the
 * answer cannot move to another provider: that share no longer applies, and
 * the attempt runs while its pieces keep coming, each within `idleMs` of the
 * one before, until the call's deadline. Cut at its turn's share, a healthy
 * reply longer than the share (15 s of 45 s with three hosted providers)
 * broke off mid-answer and counted against its provider's circuit.
 *
 * Rejects with TaskCancelledError when the bound that applies runs out
 * (TimeTooShortToJudge when that says nothing of the provider),
 * without waiting for the provider call to heed its signal, as cockatiel's
 * aggressive timeout does for a whole answer; the signal is aborted once
 * the attempt is over.
 */
export async function streamedAttempt<T>(
  send: (signal: AbortSignal) => Promise<T>,
  turn: StreamedTurn,
  { timeoutMs, idleMs, judgesKey }: StreamedAttemptTiming,
): Promise<T> {
  const startedAt = performance.now();
  const attempt = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const outOfTime = new Promise<never>((_, reject) => {
    const check = () => {
      const lastPieceAt = turn.lastPieceAt();
      const now = performance.now();
      const endsAt =
        lastPieceAt === undefined
          ? startedAt + timeoutMs
          : Math.min(lastPieceAt + idleMs, turn.endsAt);
      if (now < endsAt) {
        timer = setTimeout(check, endsAt - now);
        return;
      }
      const stalled = lastPieceAt === undefined || lastPieceAt + idleMs <= turn.endsAt;
      const message =
        lastPieceAt === undefined
          ? `no answer began within ${Math.round(timeoutMs)} ms`
          : stalled
            ? `no piece of the answer within ${Math.round(idleMs)} ms`
            : 'the answer was not complete by the call’s deadline';
      // A stall says the key hung as a whole answer's timeout does; the
      // deadline reached mid-answer says nothing of it, nor of the provider.
      const judged = stalled && (lastPieceAt !== undefined || judgesKey);
      attempt.abort(judged ? new AttemptTimedOut() : new TaskCancelledError(message));
      reject(judged ? new TaskCancelledError(message) : new TimeTooShortToJudge(message));
    };
    timer = setTimeout(check, Math.max(1, timeoutMs));
  });
  // Settled by the race or never: its rejection must not go unhandled.
  outOfTime.catch(() => undefined);
  try {
    return await Promise.race([send(attempt.signal), outOfTime]);
  } finally {
    clearTimeout(timer);
    attempt.abort();
  }
}
