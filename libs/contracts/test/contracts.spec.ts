import {
  askRequest,
  chatRequest,
  GATEWAY_API,
  indexRequest,
  searchRequest,
  taskRequest,
} from '../src';

describe('gateway contracts', () => {
  it('accepts a well-formed index request and rejects unknown fields', () => {
    const valid = { ownerId: 'u1', documentId: 'd1', title: 'T', text: 'body' };
    expect(indexRequest.safeParse(valid).success).toBe(true);
    expect(indexRequest.safeParse({ ...valid, extra: 1 }).success).toBe(false);
  });

  it.each(['', '../etc', 'a b', 'x'.repeat(129)])('rejects the id %j', (id) => {
    expect(searchRequest.safeParse({ ownerId: id, query: 'q' }).success).toBe(false);
  });

  it('bounds k and validates the search mode', () => {
    expect(searchRequest.safeParse({ ownerId: 'u', query: 'q', k: 51 }).success).toBe(false);
    expect(searchRequest.safeParse({ ownerId: 'u', query: 'q', mode: 'fuzzy' }).success).toBe(
      false,
    );
    expect(searchRequest.parse({ ownerId: 'u', query: ' q ', mode: 'lexical' }).query).toBe('q');
  });

  it('requires the last chat message to come from the user', () => {
    const ok = { ownerId: 'u', messages: [{ role: 'user', content: 'hi' }] };
    expect(chatRequest.safeParse(ok).success).toBe(true);
    const bad = { ownerId: 'u', messages: [{ role: 'assistant', content: 'hi' }] };
    expect(chatRequest.safeParse(bad).success).toBe(false);
  });

  it('rejects blank text and questions', () => {
    expect(taskRequest.safeParse({ text: '   ' }).success).toBe(false);
    expect(askRequest.safeParse({ ownerId: 'u', question: '' }).success).toBe(false);
  });

  it('encodes path parameters', () => {
    expect(GATEWAY_API.indexedDocument('a/b')).toBe('/ai/v1/index/a%2Fb');
    expect(GATEWAY_API.task('key-ideas')).toBe('/ai/v1/tasks/key-ideas');
  });
});
