// Context anchor for register and login: the raw rate of the password
// hashing library the backend uses (@node-rs/argon2, argon2id with the
// library's default cost, as apps/backend/src/auth/password-hashing.ts
// calls it), at the same concurrency as the HTTP load, in this process
// (its libuv thread pool has the backend's default size).
import { hash, verify } from '@node-rs/argon2';
import { PASSWORD } from './load-platform.mjs';

/**
 * Keeps `concurrency` hash (or verify) calls in flight for `seconds`;
 * returns operations per second and the p50/p99 of each call in ms.
 */
export async function argon2Rate(operation, { seconds, concurrency }) {
  const stored = await hash(PASSWORD);
  const run =
    operation === 'hash'
      ? () => hash(PASSWORD)
      : async () => {
          if (!(await verify(stored, PASSWORD))) throw new Error('argon2 verify returned false');
        };
  // Counted as autocannon counts: calls completed within the window, over its length;
  // calls still running at its end are awaited (they would load the next run) but not counted.
  const latencies = [];
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const callStarted = performance.now();
        await run();
        const ended = performance.now();
        if (ended <= deadline) latencies.push(ended - callStarted);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (share) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * share))];
  return {
    perSecond: latencies.length / seconds,
    p50: at(0.5),
    p99: at(0.99),
    count: latencies.length,
  };
}
