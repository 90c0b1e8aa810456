import { problemClientErrors } from '@docuthinker/runtime';
import { problem } from '../errors';

/**
 * The server's `clientError` listener: what Node's HTTP parser refuses before
 * Express sees it (headers over 16 KB, broken framing, a request timeout) is
 * answered in problem+json like every other error, not with Node's bare 431.
 */
export const backendClientErrors = problemClientErrors(problem);
