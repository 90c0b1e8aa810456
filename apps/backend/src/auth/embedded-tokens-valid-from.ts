import {
  embeddedTokenRevocationsPath,
  LibsqlTokensValidFrom,
} from '@docuthinker/runtime/embedded-token-revocations';

/**
 * The tokens-valid-from record without REDIS_URL: a file in the data
 * directory, which the gateway started beside this backend (`npm start`)
 * reads. Shaped as the Redis connection, for main.ts's shutdown step.
 */
export function embeddedTokensValidFrom(dataDir: string): {
  record: LibsqlTokensValidFrom;
  close: () => Promise<void>;
} {
  const record = new LibsqlTokensValidFrom(embeddedTokenRevocationsPath(dataDir));
  return { record, close: () => record.close() };
}
