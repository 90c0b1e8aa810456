import type { Request, Response } from 'express';

/** How slowly a large body may arrive before the request is cut off. */
export interface BodyRateFloor {
  /** The average rate a body must keep once the grace period is over. */
  readonly minBytesPerSecond: number;
  /** How long a body may arrive at any rate (a slow start, a stall on a mobile link). */
  readonly graceMs: number;
  /** How often the rate is looked at. */
  readonly checkEveryMs: number;
  /**
   * How long a whole request may take to arrive: the server's
   * requestTimeout (main.ts sets it from this), after which Node drops it.
   */
  readonly arriveWithinMs: number;
  /** How long a user whose body was cut off waits before a large body of theirs is read again. */
  readonly cutOffCooldownMs: number;
}

/**
 * Apache's mod_reqtimeout default (MinRate=500 after 20 s), so a connection
 * dribbling a byte every few seconds is cut within half a minute; Node's
 * default requestTimeout (5 minutes), which any real link meets for the
 * largest upload (25 MiB in 5 minutes is 87 KB/s); and a minute's wait for
 * the user whose upload was cut off (large-body-admission.ts).
 */
export const DEFAULT_BODY_RATE_FLOOR: BodyRateFloor = {
  minBytesPerSecond: 500,
  graceMs: 20_000,
  checkEveryMs: 5_000,
  arriveWithinMs: 300_000,
  cutOffCooldownMs: 60_000,
};

/**
 * The average pace a body of `bodyBytes` must keep: the floor, or the pace
 * that brings it whole before the request's time is up if that is faster.
 * Found in review: at the floor alone a body declaring 25 MB could take 14
 * hours, so two accounts kept the four largest uploads' budget with four
 * connections sending 500 B/s, and every other user's upload got 503 until
 * Node gave up on them at 5 minutes (and they connected again). A body too
 * slow to arrive in time was going to fail anyway: it is cut as soon as its
 * pace shows it, and its share of the budget goes to uploads that can finish.
 */
export function neededBytesPerSecond(floor: BodyRateFloor, bodyBytes: number): number {
  return Math.max(floor.minBytesPerSecond, (bodyBytes * 1000) / floor.arriveWithinMs);
}

/**
 * Calls `tooSlow` once if the request's body, still arriving, has averaged
 * less than `bytesPerSecond` since this was called. Why: a large body holds its
 * share of the process's upload budget (large-body-admission.ts) until its
 * response ends, and Node bounds only the whole request (5 minutes) and
 * waits for ever between bytes: found in a security test, two accounts
 * dribbling a byte every 5 s into four uploads kept every other user's
 * uploads at 503, reconnecting when the 5 minutes ran out. The socket's own
 * byte count is read, so the body's stream is left alone for its reader.
 */
export function watchBodyRate(
  req: Request,
  res: Response,
  floor: BodyRateFloor,
  bytesPerSecond: number,
  tooSlow: () => void,
): void {
  const { socket } = req;
  const startedAt = Date.now();
  const bytesBefore = socket.bytesRead;
  // Read to its end, the body's pace no longer matters: the work is ours.
  const over = () => req.complete || res.writableEnded || socket.destroyed;
  const behindPace = () => {
    const elapsedMs = Date.now() - startedAt;
    return socket.bytesRead - bytesBefore < (bytesPerSecond * elapsedMs) / 1000;
  };
  const timer = setInterval(() => {
    if (over()) {
      clearInterval(timer);
      return;
    }
    if (Date.now() - startedAt < floor.graceMs || !behindPace()) return;
    // Judged again once this turn of the loop has read what came in. Found
    // in review: after a stall of this process (a long parse, a GC pause)
    // timers run before the bytes that arrived meanwhile are read, so a
    // client keeping a good pace was cut off for the server's own pause.
    setImmediate(() => {
      if (over() || !behindPace()) return;
      clearInterval(timer);
      tooSlow();
    });
  }, floor.checkEveryMs);
  // A process draining for shutdown does not wait for the next look.
  timer.unref();
  res.once('close', () => clearInterval(timer));
}
