import type { ProviderTestServer } from './provider-test-server';

/**
 * The signal of a caller that leaves once `server` has received its
 * `count`-th request (and `afterMs` more have passed). Tied to the request's
 * arrival rather than to a timer, so that "the caller left while the provider
 * was working on it" holds however slowly a loaded machine sends the request.
 */
export function leaveOnceReceived(
  server: ProviderTestServer,
  count: number,
  afterMs = 0,
): AbortSignal {
  const caller = new AbortController();
  // If the request never comes, the caller leaves anyway and the test's own
  // assertions on what the server received say what went wrong.
  void server.received(count).then(
    () => setTimeout(() => caller.abort(), afterMs),
    () => caller.abort(),
  );
  return caller.signal;
}
