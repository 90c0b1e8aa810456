import { join } from 'node:path';
import type * as RedisModule from './redis-module';

let loaded: typeof RedisModule | undefined;

/**
 * The Redis side of libs/runtime, loaded on first use. As in load-undici.ts,
 * the path is computed at run time so that the bundler leaves this `require`
 * alone: redis-module.js beside main.js in the build, the TypeScript module
 * next to this file from the sources (tests).
 */
export function loadRedis(): typeof RedisModule {
  loaded ??= require(join(__dirname, 'redis-module')) as typeof RedisModule;
  return loaded;
}
