import { analyzeRequest, indexRequest, MAX_METADATA_DEPTH, nestsDeeperThan } from '../src';

/** `depth` levels of nested arrays, built without recursion. */
function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < depth; level += 1) value = [value];
  return value;
}

// Found by the fuzz suite (tools/fuzz): a metadata object nested 100,000
// levels deep was indexed by /ai/v1/index and made /analyze answer 500.
describe('request metadata depth', () => {
  const index = { ownerId: 'u1', documentId: 'd1', title: 'T', text: 'body' };

  it('accepts ordinary metadata', () => {
    expect(
      indexRequest.safeParse({ ...index, metadata: { tags: ['a'], source: { kind: 'upload' } } })
        .success,
    ).toBe(true);
  });

  it('refuses metadata nested beyond the limit, at any depth, without overflowing the stack', () => {
    expect(nestsDeeperThan({ x: nested(MAX_METADATA_DEPTH - 1) }, MAX_METADATA_DEPTH)).toBe(false);
    expect(nestsDeeperThan({ x: nested(MAX_METADATA_DEPTH) }, MAX_METADATA_DEPTH)).toBe(true);
    const hostile = { x: nested(100_000) };
    expect(indexRequest.safeParse({ ...index, metadata: hostile }).success).toBe(false);
    expect(analyzeRequest.safeParse({ document: 'text', metadata: hostile }).success).toBe(false);
  });
});
