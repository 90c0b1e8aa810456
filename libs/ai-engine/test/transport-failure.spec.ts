import { RequestDeadlineError } from '../src/retrieval/request-deadline';
import { describeTransportFailure, isTransportFailure } from '../src/retrieval/transport-failure';

/** fetch's own failure: the reason is only in its cause. */
const fetchFailed = (cause: unknown) => new TypeError('fetch failed', { cause });

describe('describeTransportFailure', () => {
  it('names the reason fetch keeps in its cause: a deadline, a cut, a refusal', () => {
    expect(describeTransportFailure(fetchFailed(new RequestDeadlineError(500)))).toBe(
      'fetch failed: no complete answer within 500 ms',
    );
    const cut = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    expect(describeTransportFailure(fetchFailed(cut))).toBe('fetch failed: other side closed');
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), {
      code: 'ECONNREFUSED',
    });
    expect(describeTransportFailure(fetchFailed(refused))).toBe(
      'fetch failed: connect ECONNREFUSED 127.0.0.1:8000',
    );
  });

  it('says a repeated message once, skips empty ones and reads errors that are not Errors', () => {
    const inner = new Error('terminated', { cause: new Error('terminated') });
    expect(describeTransportFailure(new Error('', { cause: inner }))).toBe('terminated');
    expect(describeTransportFailure('socket hang up')).toBe('socket hang up');
    expect(describeTransportFailure({ message: 'aborted', cause: { code: 'ECONNRESET' } })).toBe(
      'aborted: ECONNRESET',
    );
  });

  it('reads an AggregateError without a message by its first error (review)', () => {
    const refused = Object.assign(
      new AggregateError([new Error('connect ECONNREFUSED ::1:8000')], ''),
      { code: 'ECONNREFUSED' },
    );
    expect(describeTransportFailure(fetchFailed(refused))).toBe(
      'fetch failed: connect ECONNREFUSED ::1:8000',
    );
    const bare = Object.assign(new AggregateError([], ''), { code: 'ECONNREFUSED' });
    expect(describeTransportFailure(fetchFailed(bare))).toBe('fetch failed: ECONNREFUSED');
  });

  it('stops on a cause that points back at itself', () => {
    const looped = new TypeError('fetch failed') as Error & { cause?: unknown };
    looped.cause = looped;
    expect(describeTransportFailure(looped)).toBe('fetch failed');
    expect(isTransportFailure(looped)).toBe(true);
  });
});
