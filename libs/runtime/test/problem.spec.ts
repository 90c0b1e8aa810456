import { problemFactory, ProblemError, requestIdFrom } from '../src';

describe('problemFactory', () => {
  const problem = problemFactory({ DT_ERR_GONE: { status: 410, title: 'Gone' } });

  it('builds a problem document with the catalogued status and title', () => {
    const error = problem('DT_ERR_GONE', 'it left');
    expect(error).toBeInstanceOf(ProblemError);
    expect(error.toDocument('/x', 'req-1')).toEqual({
      type: 'https://docuthinker.dev/problems/dt-err-gone',
      title: 'Gone',
      status: 410,
      code: 'DT_ERR_GONE',
      detail: 'it left',
      instance: '/x',
      requestId: 'req-1',
    });
  });
});

describe('requestIdFrom', () => {
  it('keeps a well-formed caller id', () => {
    expect(requestIdFrom('1-abc.def:42')).toBe('1-abc.def:42');
    expect(requestIdFrom('abc-123')).toBe('abc-123');
  });

  it('replaces an id that could forge log lines or is too long', () => {
    for (const hostile of ['a\nb', 'x'.repeat(200), '<script>', '']) {
      const id = requestIdFrom(hostile);
      expect(id).not.toBe(hostile);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
