import { checkReadiness } from '../src';

describe('checkReadiness', () => {
  it('is ready when every dependency answers', async () => {
    const report = await checkReadiness([
      { name: 'a', check: async () => undefined },
      { name: 'b', check: async () => undefined },
    ]);
    expect(report.status).toBe('ready');
    expect(Object.keys(report.dependencies)).toEqual(['a', 'b']);
  });

  it('reports each failing dependency with its reason', async () => {
    const report = await checkReadiness([
      { name: 'db', check: async () => undefined },
      { name: 'cache', check: async () => Promise.reject(new Error('connection refused')) },
    ]);
    expect(report.status).toBe('unavailable');
    expect(report.dependencies['db']?.status).toBe('up');
    expect(report.dependencies['cache']).toEqual(
      expect.objectContaining({ status: 'down', detail: 'connection refused' }),
    );
  });

  it('does not wait on a hung dependency past the deadline', async () => {
    const report = await checkReadiness(
      [{ name: 'hung', check: () => new Promise(() => undefined) }],
      100,
    );
    expect(report.dependencies['hung']).toEqual(
      expect.objectContaining({ status: 'down', detail: 'no answer within 100 ms' }),
    );
  });
});
