/**
 * The Redis client and rate limits of libs/runtime (and ioredis), as an entry
 * point of the gateway's build: it becomes redis-module.js beside main.js,
 * loaded by load-redis.ts only when REDIS_URL is set. Inside main.js they
 * were compiled at every start, also by gateways without Redis.
 */
export * from '@docuthinker/runtime/redis';
