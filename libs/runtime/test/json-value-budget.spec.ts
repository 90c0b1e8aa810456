import { holdsMoreJsonValuesThan } from '../src/json-value-budget';

const over = (json: string, budget: number) => holdsMoreJsonValuesThan(Buffer.from(json), budget);

describe('holdsMoreJsonValuesThan', () => {
  it('counts members, elements and containers outside strings', () => {
    // {"a":[1,2,3],"b":{"c":null}}: { [ , , , { = 6
    const json = JSON.stringify({ a: [1, 2, 3], b: { c: null } });
    expect(over(json, 6)).toBe(false);
    expect(over(json, 5)).toBe(true);
    expect(over('"a lone string"', 0)).toBe(false);
    expect(over('[[[[[]]]]]', 4)).toBe(true);
  });

  it('does not count what a string holds, escaped quotes and backslashes included', () => {
    const text = 'a, b: [c] {d} "quoted, with: commas" \\", \\\\';
    const json = JSON.stringify({ text });
    expect(over(json, 2)).toBe(false);
    // A string ending in an escaped backslash ends at the quote after it.
    expect(over(String.raw`["a\\",1,2]`, 2)).toBe(true);
    expect(over(String.raw`["a\\",1,2]`, 3)).toBe(false);
    expect(over(String.raw`["a\",1,2"]`, 1)).toBe(false);
  });

  it('leaves bytes that are not JSON to the parser', () => {
    expect(over('{"unterminated: 1, 2, 3', 1)).toBe(false);
  });

  it('finds the many keys of a large body quickly, and walks a long text in jumps', () => {
    const keys = Object.fromEntries(
      Array.from({ length: 700_000 }, (_, index) => [`k${index}`, index]),
    );
    expect(over(JSON.stringify({ text: 'x', metadata: keys }), 10_000)).toBe(true);
    const text = 'A sentence, with "quotes": and [brackets]. '.repeat(50_000);
    expect(over(JSON.stringify({ title: 't', text }), 10)).toBe(false);
  });
});
