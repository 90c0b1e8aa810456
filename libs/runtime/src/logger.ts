import pino, { type DestinationStream, type Logger } from 'pino';
import { createRedactor, SENSITIVE_LOG_PATHS, type LogLevel } from '@docuthinker/config';
import { loggableRequest } from './loggable-request';

export type { Logger } from 'pino';

export interface ServiceLoggerOptions {
  service: string;
  level: LogLevel;
  /** Secret values (keys, tokens, URIs with passwords) to mask wherever they appear. */
  secretValues: Iterable<string>;
  /** Where lines go; stdout by default. Tests pass a stream to read them. */
  destination?: DestinationStream;
}

/**
 * JSON logs for a service. Credentials are removed twice: by field path
 * (headers, password fields) and by value, on the final line, so a secret
 * that ends up inside a message or an error is masked too. A request's
 * query values (users' search text) are left out (loggableRequest).
 */
export function createServiceLogger(options: ServiceLoggerOptions): Logger {
  const redactSecrets = createRedactor(options.secretValues);
  return pino(
    {
      level: options.level,
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: [...SENSITIVE_LOG_PATHS], censor: '[REDACTED]' },
      // A request is shown by its id, method and URL without the query's values.
      serializers: { req: loggableRequest },
      formatters: { level: (label) => ({ level: label }) },
      hooks: { streamWrite: redactSecrets },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
