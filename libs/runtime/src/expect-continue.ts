import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { HttpErrorCode } from './http-errors';
import type { ProblemError } from './problem';
import { answerRefusedRequest } from './refused-request';

/**
 * Answers `Expect: 100-continue` as the service would answer the body: a
 * declared length past the largest body any route takes gets its 413 before
 * the client sends a byte, as the header asks, and a connection close (the
 * body never read). Without a listener Node sends `100 Continue` at once,
 * and a client had sent megabytes before the 413 (found in an exploratory
 * test). Anything within it goes on to the routes, which apply their own
 * limits.
 */
export function continueOnlyWithin(
  server: Server,
  largestBodyBytes: number,
  problem: (code: HttpErrorCode, detail?: string) => ProblemError,
  logger: Logger,
): void {
  server.on('checkContinue', (req, res) => {
    const declared = Number(req.headers['content-length']);
    if (declared > largestBodyBytes) {
      answerRefusedRequest(
        res,
        problem(
          'DT_ERR_BODY_TOO_LARGE',
          `The body may be at most ${largestBodyBytes} bytes; this one declares ${declared}.`,
        ),
        logger,
        Object.assign(new Error('a body declared larger than any route takes'), {
          code: 'ERR_BODY_TOO_LARGE',
        }),
      );
      return;
    }
    res.writeContinue();
    server.emit('request', req, res);
  });
}
