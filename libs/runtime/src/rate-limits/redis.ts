// The Redis adapter of the rate limits, the tokens-valid-from record the
// backend writes and the gateway reads, locks shared by replicas, and the
// shared client settings:
// `@docuthinker/runtime/redis`, imported (lazily) only where REDIS_URL is set.
export {
  closeRedisClient,
  createRedisClient,
  waitForRedis,
  type RedisConnectionOptions,
} from './redis-connection';
export { RedisRateLimiterFactory } from './redis-rate-limiter-factory';
export {
  NO_TOKEN_VALID_FROM,
  RedisTokensValidFrom,
  TOKENS_VALID_FROM_KEY_PREFIX,
  tokensValidFromKey,
} from '../token-revocation/redis-tokens-valid-from';
export {
  RepublishedTokensValidFrom,
  type RepublishedTokensValidFromOptions,
} from '../token-revocation/republished-tokens-valid-from';
export { RedisKeyedMutex, type RedisKeyedMutexOptions } from '../shared-locks/redis-keyed-mutex';
