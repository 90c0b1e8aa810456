import { extractiveSummary } from '../src/services/extractive-summary';

describe('extractiveSummary', () => {
  it('keeps a short text whole, with its white space collapsed', () => {
    expect(extractiveSummary('  A short\n\ntext.  ')).toBe('A short text.');
  });

  it('takes the opening sentences that fit in 400 characters, keeping numbers and abbreviations whole', () => {
    const opening = 'Version 2.0 of the licence, e.g. for code, applies. ';
    const text = `${opening}${'Another sentence follows here. '.repeat(50)}`;
    const summary = extractiveSummary(text);
    expect(summary.startsWith('Version 2.0 of the licence, e.g. for code, applies.')).toBe(true);
    expect(summary.length).toBeLessThanOrEqual(400);
    expect(summary.endsWith('follows here.')).toBe(true);
  });

  it('cuts a text without sentence ends at a word, and reads only its opening', () => {
    const words = 'lorem ipsum dolor '.repeat(6000);
    const summary = extractiveSummary(words);
    expect(summary.endsWith('…')).toBe(true);
    expect(summary.length).toBeLessThanOrEqual(401);
    expect(summary).toMatch(/^lorem ipsum dolor/);
    // The same opening however much follows: only a bounded prefix is read.
    expect(extractiveSummary(words.repeat(100))).toBe(summary);
  });

  it('skips leading white space however long it is', () => {
    expect(extractiveSummary(`${' '.repeat(100_000)}Opening line.`)).toBe('Opening line.');
  });

  // Found in review: text with no space in its opening was cut to one UTF-16
  // unit, half a pair when it opened with an emoji, and Chinese text to one
  // character.
  it('cuts text without spaces at the limit, never between the halves of a pair', () => {
    const emoji = extractiveSummary('😀'.repeat(300));
    expect(emoji).toBe(emoji.toWellFormed());
    expect(emoji).toBe(`${'😀'.repeat(200)}…`);
    const chinese = extractiveSummary('许可证允许再分发'.repeat(100));
    expect(chinese).toBe(`${'许可证允许再分发'.repeat(50)}…`);
    // 399 units of text, then a pair across the limit: the pair is left out.
    const across = extractiveSummary(`${'x'.repeat(399)}😀${'y'.repeat(50)}`);
    expect(across).toBe(`${'x'.repeat(399)}…`);
    // A space near the start (a heading, a Latin name) does not cut it short.
    const headed = extractiveSummary(`第1章 ${'许可证允许再分发'.repeat(100)}`);
    expect(headed).toBe(`${`第1章 ${'许可证允许再分发'.repeat(100)}`.slice(0, 400)}…`);
  });
});
