import { clipText } from '../src/code-points';

describe('clipText', () => {
  it('keeps text within the bound as it is', () => {
    expect(clipText('short', 10)).toBe('short');
  });

  // Found in an exploratory test: a summary cut at 400 ended in half a family emoji.
  it('cuts at the end of a grapheme cluster: an emoji sequence, a flag, a letter with its marks', () => {
    const family = '👨‍👩‍👧‍👦';
    const families = family.repeat(500);
    const clipped = clipText(families, 400);
    expect(clipped.length).toBeLessThanOrEqual(400);
    expect(clipped).toBe(family.repeat(Math.floor(400 / family.length)));
    const flags = `${'a'.repeat(99)}${'🇯🇵'.repeat(60)}`;
    expect(clipText(flags, 200)).toBe(`${'a'.repeat(99)}${'🇯🇵'.repeat(25)}`);
    const accents = 'e\u0301'.repeat(100);
    expect(clipText(accents, 101)).toBe('e\u0301'.repeat(50));
  });

  it('never cuts between the halves of a surrogate pair, also in a long text', () => {
    const text = `${'x'.repeat(9999)}😀tail`;
    expect(clipText(text, 10000)).toBe('x'.repeat(9999));
    expect(clipText('a😀', 2)).toBe('a');
  });

  it('cuts a cluster longer than any a reader writes at a code point', () => {
    const stacked = `a${'\u0301'.repeat(500)}`;
    expect(clipText(stacked, 300)).toHaveLength(300);
  });
});
