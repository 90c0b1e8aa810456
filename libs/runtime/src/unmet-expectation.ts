import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { HttpErrorCode } from './http-errors';
import type { ProblemError } from './problem';
import { answerRefusedRequest } from './refused-request';

/**
 * Answers a request whose `Expect` header names anything but `100-continue`
 * (which Node answers itself) with the service's 417 problem+json and a
 * `request refused` line. Without a listener Node answers a bare 417 with an
 * empty body, no request id and no log line (found in an exploratory test).
 * The body was never read, so the connection closes after the answer.
 */
export function refuseUnmetExpectations(
  server: Server,
  problem: (code: HttpErrorCode) => ProblemError,
  logger: Logger,
): void {
  server.on('checkExpectation', (_req, res) => {
    answerRefusedRequest(
      res,
      problem('DT_ERR_EXPECTATION_FAILED'),
      logger,
      Object.assign(new Error('an Expect header the service does not meet'), {
        code: 'ERR_UNMET_EXPECTATION',
      }),
    );
  });
}
