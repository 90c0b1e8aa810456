import { loggableRequest, loggableUrl } from '../src';

describe('loggableUrl', () => {
  it('keeps the path and the names of the query parameters, never their values', () => {
    expect(loggableUrl('/api/documents/search?q=alice%20medical%20diagnosis&mode=content')).toBe(
      '/api/documents/search?q&mode',
    );
    expect(loggableUrl('/api/documents')).toBe('/api/documents');
    expect(loggableUrl('/api/documents?')).toBe('/api/documents');
    expect(loggableUrl('/x?flag&&limit=5')).toBe('/x?flag&limit');
    expect(loggableUrl(undefined)).toBeUndefined();
  });

  it('does not take a parameter name that may be text for a name', () => {
    expect(loggableUrl('/x?alice%20medical%20diagnosis')).toBe('/x?…');
    expect(loggableUrl(`/x?${'n'.repeat(41)}=1`)).toBe('/x?…');
  });
});

describe('loggableRequest', () => {
  it("shows a request by its id, method and loggable URL, Express's original URL first", () => {
    expect(
      loggableRequest({
        id: 'r1',
        method: 'GET',
        url: '/search?q=secret',
        originalUrl: '/api/documents/search?q=secret',
        headers: { authorization: 'Bearer abc' },
        socket: { remoteAddress: '203.0.113.9' },
      }),
    ).toEqual({ id: 'r1', method: 'GET', url: '/api/documents/search?q' });
    expect(loggableRequest({ id: 'r2', method: 'POST' })).toEqual({
      id: 'r2',
      method: 'POST',
      url: undefined,
    });
    expect(loggableRequest('plain')).toBe('plain');
  });
});
