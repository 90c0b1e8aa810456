import { BackoffRetry } from '../src/backoff-retry';

describe('BackoffRetry', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('doubles its delay up to the maximum, once at a time, until reset or closed', () => {
    const runs: number[] = [];
    const retry = new BackoffRetry(() => runs.push(Date.now()), 100, 300);
    const start = Date.now();
    retry.schedule();
    retry.schedule(); // already due: no second timer
    jest.advanceTimersByTime(100);
    retry.schedule();
    jest.advanceTimersByTime(200);
    retry.schedule();
    jest.advanceTimersByTime(300);
    expect(runs.map((at) => at - start)).toEqual([100, 300, 600]);

    retry.reset();
    retry.schedule();
    jest.advanceTimersByTime(100);
    expect(runs).toHaveLength(4);

    retry.schedule();
    retry.close();
    retry.schedule();
    jest.advanceTimersByTime(1000);
    expect(runs).toHaveLength(4);
  });
});
