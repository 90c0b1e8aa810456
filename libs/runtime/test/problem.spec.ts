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
  const root = '1-67891233-abcdef012345678912345678';

  it('keeps a well-formed caller id', () => {
    expect(requestIdFrom({ 'x-request-id': '1-abc.def:42' })).toBe('1-abc.def:42');
    expect(requestIdFrom({ 'x-request-id': 'abc-123' })).toBe('abc-123');
    expect(requestIdFrom({ 'x-request-id': 'abc-123', 'x-amzn-trace-id': `Root=${root}` })).toBe(
      'abc-123',
    );
  });

  it('replaces an id that could forge log lines or is too long', () => {
    for (const hostile of ['a\nb', 'x'.repeat(200), '<script>', '']) {
      const id = requestIdFrom({ 'x-request-id': hostile });
      expect(id).not.toBe(hostile);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("takes the load balancer's id of the request from its trace header when the caller sent no id", () => {
    // A request that came without a trace: the load balancer made the Root for it.
    expect(requestIdFrom({ 'x-amzn-trace-id': `Root=${root}` })).toBe(root);
    // One whose caller started a trace, shared by all its calls: the load balancer adds Self.
    const self = '1-67891234-0123456789abcdef01234567';
    expect(requestIdFrom({ 'x-amzn-trace-id': `Self=${self};Root=${root};Sampled=1` })).toBe(self);
    expect(requestIdFrom({ 'x-amzn-trace-id': `Root=${root};Self=${self}` })).toBe(self);
    expect(requestIdFrom({ 'x-request-id': 'a\nb', 'x-amzn-trace-id': `Root=${root}` })).toBe(root);
  });

  it("makes a new id for a trace header that is not the load balancer's", () => {
    for (const hostile of [
      'Root=1-6789-abc',
      `Root=${root}\nforged`,
      `XRoot=${root}`,
      `Root=${root.toUpperCase()}`,
      `${'Foo=bar;'.repeat(40)}Root=${root}`,
    ]) {
      expect(requestIdFrom({ 'x-amzn-trace-id': hostile })).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      );
    }
  });
});
