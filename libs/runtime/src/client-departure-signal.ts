import type { ServerResponse } from 'node:http';

/**
 * A signal aborted when the client goes away before its answer is written
 * (`close` before `finish`), so work done only for that answer (a provider
 * call, a chat turn to store) is cancelled rather than paid for. A client
 * that already left (while the request was authenticated, read or admitted)
 * aborts it at once: `close` has fired, and listening for it would never
 * abort (found in an exploratory test: abandoned chats were answered and
 * stored as sessions nobody was told of).
 */
export function clientDepartureSignal(res: ServerResponse): AbortSignal {
  const departure = new AbortController();
  if (res.closed && !res.writableFinished) departure.abort();
  else {
    res.once('close', () => {
      if (!res.writableFinished) departure.abort();
    });
  }
  return departure.signal;
}
