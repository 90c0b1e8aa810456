import type { Request } from 'express';
import { documentListQuery, documentSearchQuery } from '../src/api/document-schemas';
import { queryOf } from '../src/middleware/validate';

/** The two fields `queryOf` reads, as Express's simple query parser fills them. */
function requestFor(url: string): Request {
  const query = Object.fromEntries(new URL(url, 'http://localhost').searchParams);
  return { url, query } as unknown as Request;
}

describe('queryOf', () => {
  it('answers a repeated query string with the same validated, frozen value', () => {
    const first = queryOf(requestFor('/api/documents?limit=5'), documentListQuery);
    const again = queryOf(requestFor('/api/documents?limit=5'), documentListQuery);
    expect(first).toEqual({ limit: 5 });
    expect(again).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(queryOf(requestFor('/api/documents'), documentListQuery)).toEqual({ limit: 20 });
    expect(queryOf(requestFor('/api/documents?limit=7'), documentListQuery)).toEqual({ limit: 7 });
  });

  it('keeps the values of different schemas apart', () => {
    expect(queryOf(requestFor('/x?limit=3'), documentListQuery)).toEqual({ limit: 3 });
    expect(queryOf(requestFor('/x?limit=3&q=report'), documentSearchQuery)).toEqual({
      q: 'report',
      mode: 'content',
      limit: 3,
    });
    expect(() => queryOf(requestFor('/x?limit=3'), documentSearchQuery)).toThrow();
  });

  it('refuses an invalid query string every time it is sent', () => {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      expect(() => queryOf(requestFor('/api/documents?limit=0'), documentListQuery)).toThrow();
      expect(() => queryOf(requestFor('/api/documents?limit=abc'), documentListQuery)).toThrow();
      expect(() => queryOf(requestFor('/api/documents?other=1'), documentListQuery)).toThrow();
    }
  });
});
