import { problemClientErrors, type Logger } from '@docuthinker/runtime';
import { problem } from '../errors';

/**
 * The server's `clientError` listener: what Node's HTTP parser refuses before
 * Express sees it (headers over 16 KB, broken framing, a request timeout) is
 * answered in problem+json like every other error, not with Node's bare 431,
 * and gets its log line (no middleware ever sees it).
 */
export function backendClientErrors(logger: Logger) {
  return problemClientErrors(problem, logger);
}
