import fc from 'fast-check';
import { parseAnswer, StreamedAnswer, UnsettledEnd } from '../src/providers/streamed-answer';

/** Reads `text` cut at `cuts`; what was shown piece by piece, and the answer as a whole. */
function readInPieces(text: string, cuts: readonly number[], passageCount: number) {
  const answer = new StreamedAnswer('openai', passageCount);
  const shown: string[] = [];
  let from = 0;
  for (const cut of [...new Set(cuts)].sort((a, b) => a - b).concat(text.length)) {
    shown.push(answer.push(text.slice(from, cut)));
    from = cut;
  }
  const { rest, output } = answer.finish();
  return { shown: [...shown, rest], output };
}

describe('an answer read as it streams', () => {
  it('holds back what could still become a marker, and renumbers it once it is one', () => {
    const answer = new StreamedAnswer('openai', 3);
    expect(answer.push('Lift them [')).toBe('Lift them');
    expect(answer.push('3')).toBe('');
    expect(answer.push('] and rest [9')).toBe(' [1] and rest');
    expect(answer.push('].  ')).toBe('.');
    expect(answer.push('\n[2]')).toBe('  \n[2]');
    expect(answer.finish()).toEqual({
      rest: '',
      output: { answer: 'Lift them [1] and rest.  \n[2]', citedPassages: [2, 1] },
    });
  });

  it('keeps the two halves of a character together', () => {
    const answer = new StreamedAnswer('openai', 1);
    expect(answer.push('a \ud83d')).toBe('a');
    expect(answer.push('\ude00')).toBe(' \ud83d\ude00');
  });

  // Found by the property test below: read whole, dropping the marker
  // joined the halves into one character; read in pieces, each half was
  // replaced on its own.
  it('does not join two halves of a character that a dropped marker stood between', () => {
    const text = 'a \ud83d[2】\ude00 b';
    const whole = parseAnswer('openai', text, 0);
    expect(whole.answer).toBe('a \uFFFD\uFFFD b');
    const read = readInPieces(text, [3, 4], 0);
    expect(read.output).toEqual(whole);
    expect(read.shown.join('')).toBe(whole.answer);
  });

  it('refuses an answer that was only white space and markers naming no passage', () => {
    const answer = new StreamedAnswer('openai', 2);
    expect(answer.push('  [7] ')).toBe('');
    expect(() => answer.finish()).toThrow(expect.objectContaining({ kind: 'unusable' }));
  });

  it('reads alike however the text is cut: the pieces make the whole answer', () => {
    const markerish = ['[', ']', '1', '2', '7', '100', ',', '-', ';', ' ', '\n', '^', '【', '】'];
    const text = fc
      .array(fc.constantFrom(...markerish, 'a', 'x', ')', '\t', '\ud83d', '\ude00'), {
        maxLength: 30,
      })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(
        text,
        fc.array(fc.nat()),
        fc.integer({ min: 0, max: 4 }),
        (whole, cuts, count) => {
          let expected;
          try {
            expected = parseAnswer('openai', whole, count);
          } catch {
            expect(() => readInPieces(whole, cuts, count)).toThrow();
            return;
          }
          const read = readInPieces(
            whole,
            cuts.map((cut) => cut % (whole.length + 1)),
            count,
          );
          expect(read.output).toEqual(expected);
          expect(read.shown.join('')).toBe(expected.answer);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('holds back the end a regex would: white space, an opened marker, half a character', () => {
    // The rule as a regex, which is quadratic on a long run of white space.
    const reference = /\s*(?:(?:\[\^?|【)[\s\d,;\-–]*)?[\uD800-\uDBFF]?$/u;
    const parts = ['[', ']', '1', '7', ',', '-', '–', ';', ' ', '\n', '\t', '^', '【', '】', 'a'];
    const text = fc
      .array(fc.constantFrom(...parts, '\ud83d', '\ude00', '\ud83d\ude00'), { maxLength: 30 })
      .map((chosen) => chosen.join(''));
    fc.assert(
      fc.property(text, fc.array(fc.nat()), (whole, cuts) => {
        const unsettled = new UnsettledEnd();
        let from = 0;
        for (const cut of [...new Set(cuts.map((cut) => cut % (whole.length + 1)))].sort(
          (a, b) => a - b,
        )) {
          const read = whole.slice(0, cut);
          expect(unsettled.add(whole.slice(from, cut))).toBe(reference.exec(read)?.index);
          from = cut;
        }
        expect(unsettled.add(whole.slice(from))).toBe(reference.exec(whole)?.index);
      }),
      { numRuns: 5000 },
    );
  });
});
