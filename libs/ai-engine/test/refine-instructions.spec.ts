import { parseRefineInstructions } from '../src/offline/refine-instructions';

const kinds = (instructions: string) => {
  const parsed = parseRefineInstructions(instructions);
  return parsed.ok ? parsed.steps.map((step) => step.kind) : `refused: ${parsed.clause}`;
};

describe('refine instructions', () => {
  it.each([
    ['shorter', ['shorter']],
    ['Make it a bit shorter, please.', ['shorter']],
    ['be more concise', ['shorter']],
    ['shorten the summary', ['shorter']],
    ['with less detail', ['shorter']],
    ['longer', ['longer']],
    ['make this more detailed', ['longer']],
    ['expand on it', ['longer']],
    ['go into more detail', ['longer']],
    ['in 3 sentences', ['sentences']],
    ['one sentence', ['sentences']],
    ['concentrate on the rights of users', ['focus']],
    ['Shorter; then focus on patents. Emphasize trademarks', ['shorter', 'focus', 'focus']],
    ['focus on terms and conditions', ['focus']],
    ['emphasise patents, trademarks and warranties, then shorten it', ['focus', 'shorter']],
    ['focus on privacy and make it shorter', ['focus', 'shorter']],
    ['', []],
  ])('reads "%s" as %j', (instructions, expected) => {
    expect(kinds(instructions)).toEqual(expected);
  });

  it.each([
    ['make it more formal', 'make it more formal'],
    ['use less jargon', 'use less jargon'],
    ['do not make it shorter', 'do not make it shorter'],
    ['never longer', 'never longer'],
    ['shorter without the legalese', 'shorter without the legalese'],
    ['translate it into German, keeping the part about Berlin', 'translate it into German'],
    ['focus on privacy and not tracking', 'not tracking'],
    ['focus on privacy and make it more formal', 'make it more formal'],
    ['focus on it', 'focus on it'],
    ['in 0 sentences', 'in 0 sentences'],
    ['keep it short', 'keep it short'],
  ])('refuses "%s" at the clause "%s"', (instructions, clause) => {
    expect(kinds(instructions)).toBe(`refused: ${clause}`);
  });

  it('puts a topic listing several things back together', () => {
    const parsed = parseRefineInstructions('focus on terms and conditions');
    expect(parsed).toEqual({
      ok: true,
      steps: [
        {
          kind: 'focus',
          topic: 'terms and conditions',
          terms: [
            { word: 'terms', term: 'term' },
            { word: 'conditions', term: 'condit' },
          ],
        },
      ],
    });
  });

  it('keeps the topic as written and its stemmed terms for matching', () => {
    expect(parseRefineInstructions('focus on the Patent Licences')).toEqual({
      ok: true,
      steps: [
        {
          kind: 'focus',
          topic: 'the Patent Licences',
          terms: [
            { word: 'patent', term: 'patent' },
            { word: 'licences', term: 'licenc' },
          ],
        },
      ],
    });
  });
});
