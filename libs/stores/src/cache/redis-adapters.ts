// The Redis client and rate limits from libs/runtime, behind a module of this
// library so that createStores can load them (and ioredis) only when
// REDIS_URL is set: a dynamic import of another library is refused by the
// module-boundary lint.
export * from '@docuthinker/runtime/redis';
