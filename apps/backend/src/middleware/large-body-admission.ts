import type { Request, RequestHandler } from 'express';
import { problem } from '../errors';
import { currentUser } from './authenticate';
import { sendProblem } from './problem-responses';
import {
  DEFAULT_BODY_RATE_FLOOR,
  neededBytesPerSecond,
  watchBodyRate,
  type BodyRateFloor,
} from './slow-body-cutoff';

// As Express routes them: case-insensitive, with or without a trailing slash.
const LARGE_BODY_PATHS = [/^\/api\/documents\/?$/i, /^\/api\/ai\/[^/]+\/?$/i];

/**
 * The requests whose body may be as large as an upload: a document (a file,
 * or JSON text) and an AI task on text sent with it (up to the contract's
 * 2,000,000 characters). Every other body is small.
 */
export function isLargeBodyRequest(req: { method: string; path: string }): boolean {
  return req.method === 'POST' && LARGE_BODY_PATHS.some((path) => path.test(req.path));
}

/**
 * Bodies' bytes read at once, in uploads of the largest size: what a task of
 * 1 GiB holds beside its work (a JSON body is parsed into about twice its
 * size more). A user may take half, so one account cannot take it all; an
 * API client sending many small uploads in parallel stays far below.
 */
const UPLOADS_HELD_AT_ONCE = 4;
const UPLOADS_HELD_PER_USER = 2;
const RETRY_AFTER_SECONDS = 5;

/**
 * Admits a large body only while the process can hold it. Each is read
 * whole into memory (the multipart reader, the JSON parser, which also
 * inflates a gzip body up to the limit), and nothing bounded how many at
 * once: found in review, 60 connections each holding a 24 MB body short
 * of its end kept 1.6 GB for as long as they liked, and 24 KB of gzip per
 * connection did the same. A body is counted at its declared length, or at
 * the upload limit when it has none or is encoded, from before it is read
 * until its response is over; past the user's share the answer is 429,
 * past the process's 503, both before a byte of it is read. A body too slow
 * to arrive in time is cut off (slow-body-cutoff.ts), and its user's next
 * large body waits out a cooldown (429).
 */
export function largeBodyAdmission(
  maxUploadBytes: number,
  /** Below it an admitted body still arriving is cut off (slow-body-cutoff.ts). */
  bodyRateFloor: BodyRateFloor = DEFAULT_BODY_RATE_FLOOR,
): RequestHandler {
  const budgetBytes = UPLOADS_HELD_AT_ONCE * maxUploadBytes;
  const userShareBytes = UPLOADS_HELD_PER_USER * maxUploadBytes;
  let heldBytes = 0;
  const heldByUser = new Map<string, number>();
  const cutOff = new CutOffUsers(bodyRateFloor.cutOffCooldownMs);

  return (req, res, next) => {
    if (!isLargeBodyRequest(req)) {
      next();
      return;
    }
    const userId = currentUser(req).id;
    const waitMs = cutOff.waitFor(userId);
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      throw problem(
        'DT_ERR_RATE_LIMITED',
        `Your last upload arrived too slowly and was cut off; send it again in ${seconds} s, on a faster connection.`,
        { headers: { 'Retry-After': String(seconds) } },
      );
    }
    const bytes = bytesToHold(req, maxUploadBytes);
    const userBytes = heldByUser.get(userId) ?? 0;
    if (userBytes + bytes > userShareBytes) {
      throw problem(
        'DT_ERR_RATE_LIMITED',
        'Your uploads still being read are as large as two of the largest; send this one when one has finished.',
        { headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) } },
      );
    }
    if (heldBytes + bytes > budgetBytes) {
      throw problem('DT_ERR_BUSY', 'Nothing was read or stored; send it again shortly.', {
        headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
      });
    }
    heldBytes += bytes;
    heldByUser.set(userId, userBytes + bytes);
    // A response emits 'close' exactly once, sent or abandoned.
    res.once('close', () => {
      heldBytes -= bytes;
      const left = (heldByUser.get(userId) ?? bytes) - bytes;
      if (left <= 0) heldByUser.delete(userId);
      else heldByUser.set(userId, left);
    });
    // What is to come on the wire: the declared length (compressed, if it
    // is), else as much as an upload may be; past that the reader refuses it.
    const declared = declaredLength(req);
    const wireBytes = Math.min(declared ?? maxUploadBytes, maxUploadBytes);
    const pace = Math.ceil(neededBytesPerSecond(bodyRateFloor, wireBytes));
    watchBodyRate(req, res, bodyRateFloor, pace, () => {
      cutOff.add(userId);
      req.log.warn(
        { minBytesPerSecond: pace },
        'request body arrived too slowly; the request was cut off',
      );
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const seconds = Math.round(bodyRateFloor.arriveWithinMs / 1000);
      const why =
        declared === undefined
          ? `the pace that brings an upload of the largest size within ${seconds} seconds, as it declared no Content-Length; nothing was stored. Send it again with its Content-Length.`
          : `the pace that brings it whole within ${seconds} seconds; nothing was stored. Send it again.`;
      // The rest of the body is not read: the connection goes with the answer.
      const refusal = problem(
        'DT_ERR_REQUEST_TIMEOUT',
        `The body arrived slower than ${pace} bytes a second, ${why}`,
        { headers: { Connection: 'close' } },
      );
      sendProblem(res, refusal, req.path);
    });
    next();
  };
}

/**
 * Users a body of whose was cut off for arriving too slowly, each until its
 * cooldown ends. Found in review: the grace period lets a body arrive at any
 * pace for its first 20 s, so two accounts reconnecting four idle uploads
 * every 20 s kept the process's whole budget at no cost; a cut-off user now
 * waits before another large body of theirs is read, and the budget goes to
 * others meanwhile.
 */
class CutOffUsers {
  private readonly until = new Map<string, number>();

  constructor(private readonly cooldownMs: number) {}

  add(userId: string): void {
    const now = Date.now();
    // Ended cooldowns go once there are many, so the map stays small.
    if (this.until.size >= 1000) {
      for (const [user, end] of this.until) if (end <= now) this.until.delete(user);
    }
    this.until.set(userId, now + this.cooldownMs);
  }

  /** How long the user still waits; 0 when they do not. */
  waitFor(userId: string): number {
    const end = this.until.get(userId);
    if (end === undefined) return 0;
    const left = end - Date.now();
    if (left <= 0) this.until.delete(userId);
    return Math.max(0, left);
  }
}

function declaredLength(req: Request): number | undefined {
  const declared = Number(req.headers['content-length']);
  return Number.isSafeInteger(declared) && declared >= 0 ? declared : undefined;
}

function bytesToHold(req: Request, maxUploadBytes: number): number {
  const declared = declaredLength(req);
  const encoded =
    (req.headers['content-encoding'] || 'identity').trim().toLowerCase() !== 'identity';
  return declared !== undefined && !encoded ? Math.min(declared, maxUploadBytes) : maxUploadBytes;
}
