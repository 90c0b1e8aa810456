import type * as Flexible from 'rate-limiter-flexible';

// rate-limiter-flexible's index requires every store it supports (MongoDB,
// MySQL, Postgres, DynamoDB, etcd, …): bundled, that was 171 KB each service
// compiled at every start. The classes used here are required from their own
// files instead, typed by the package's declarations (RateLimiterRedis
// likewise, beside the Redis client in redis-rate-limiter-factory.ts).

export type RateLimiterMemory = Flexible.RateLimiterMemory;
export const RateLimiterMemory =
  require('rate-limiter-flexible/lib/RateLimiterMemory') as typeof Flexible.RateLimiterMemory;

export type RateLimiterRes = Flexible.RateLimiterRes;
export const RateLimiterRes =
  require('rate-limiter-flexible/lib/RateLimiterRes') as typeof Flexible.RateLimiterRes;
