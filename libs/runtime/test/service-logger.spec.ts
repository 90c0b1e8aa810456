import { Writable } from 'node:stream';
import { REDACTED } from '@docuthinker/config';
import { createServiceLogger } from '../src';

describe('service logger', () => {
  it('never writes a secret, whether in a message, a field or an error', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createServiceLogger({
      service: 'test',
      level: 'info',
      secretValues: ['super-secret-token-value'],
      destination,
    });
    logger.info('connecting with super-secret-token-value');
    logger.info({ config: { key: 'super-secret-token-value' } }, 'config');
    logger.error({ err: new Error('auth failed for super-secret-token-value') }, 'boom');
    logger.info({ req: { headers: { authorization: 'Bearer abc.def.ghi' } } }, 'request');
    logger.info({ body: { password: 'hunter2hunter2' } }, 'login');
    logger.info({ req: { id: 'r1', method: 'GET', url: '/search?q=diagnosis-of-alice' } }, 'q');
    logger.flush();
    await new Promise((resolve) => setImmediate(resolve));
    const output = lines.join('');
    expect(lines.length).toBe(6);
    expect(output).not.toContain('super-secret-token-value');
    expect(output).not.toContain('abc.def.ghi');
    expect(output).not.toContain('hunter2hunter2');
    // A query's values are users' text: only the parameters' names are written.
    expect(output).not.toContain('diagnosis-of-alice');
    expect(output).toContain('"url":"/search?q"');
    expect(output.split(REDACTED).length - 1).toBeGreaterThanOrEqual(4);
  });
});
