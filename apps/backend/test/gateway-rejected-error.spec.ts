import { stdSerializers } from 'pino';
import { GatewayRejectedError } from '../src/gateway/gateway-errors';

// Found in review: pino's error serializer copies enumerable properties, so
// logging the error itself (the outbox worker logs { err }) put the whole
// detail, the user's words in a 501, into the line.
describe('GatewayRejectedError in a log line', () => {
  it('carries the code and status, and a 501 detail only for the answer', () => {
    const error = new GatewayRejectedError(
      501,
      'the offline engine cannot apply "My SSN is 078-05-1120"',
      'DT_ERR_TASK_UNSUPPORTED',
    );
    expect(error.detail).toContain('078-05-1120');
    const logged = JSON.stringify(stdSerializers.err(error));
    expect(logged).toContain('(501 DT_ERR_TASK_UNSUPPORTED)');
    expect(logged).not.toContain('078-05-1120');
  });

  it('logs another detail on one line, bounded', () => {
    const error = new GatewayRejectedError(400, `bad\n${'x'.repeat(1000)}`, 'DT_ERR_VALIDATION');
    const logged = stdSerializers.err(error) as { message: string };
    expect(logged.message).not.toContain('\n');
    expect(logged.message.length).toBeLessThan(400);
    expect(JSON.stringify(logged)).not.toContain('x'.repeat(400));
  });
});
