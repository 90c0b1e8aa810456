// The Redis adapter of the rate limits and the shared client settings:
// `@docuthinker/runtime/redis`, imported (lazily) only where REDIS_URL is set.
export {
  closeRedisClient,
  createRedisClient,
  waitForRedis,
  type RedisConnectionOptions,
} from './redis-connection';
export { RedisRateLimiterFactory } from './redis-rate-limiter-factory';
