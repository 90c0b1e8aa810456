import { replyPieces } from '../src/routes/retrieval/reply-pieces';

describe("replyPieces (the chat stream's deltas)", () => {
  it('splits after each sentence end, keeping every character', () => {
    const reply = 'First point.  Second one? Third!\nAnd the rest… e.g. this';
    const pieces = replyPieces(reply);
    expect(pieces).toEqual([
      'First point.  ',
      'Second one? ',
      'Third!\n',
      'And the rest… e.g. ',
      'this',
    ]);
    expect(pieces.join('')).toBe(reply);
    expect(replyPieces('')).toEqual([]);
    expect(replyPieces('No end')).toEqual(['No end']);
  });

  // A guard against the quadratic pattern it had, not a speed target: with it,
  // 400,000 spaces took minutes (40,000 took 1.75 s); linear, milliseconds.
  it('takes a provider reply with a long run of spaces in one pass', () => {
    const reply = `a.${' '.repeat(400_000)}b. ${' '.repeat(400_000)}`;
    const pieces = replyPieces(reply);
    expect(pieces).toHaveLength(2);
    expect(pieces.join('')).toBe(reply);
  }, 10_000);
});
