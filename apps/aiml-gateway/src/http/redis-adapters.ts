// The Redis client and rate limits of libs/runtime, behind a module of the
// gateway so that main.ts loads them (and ioredis) only when REDIS_URL is
// set: a dynamic import of a library is refused by the module-boundary lint.
export * from '@docuthinker/runtime/redis';
