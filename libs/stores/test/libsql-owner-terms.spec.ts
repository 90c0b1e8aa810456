import { MAX_PAIRED_LETTERS } from '../src/documents/search-words';
import { MAX_INDEXED_CHARS, ownerTerms } from '../src/embedded/libsql-owner-terms';

const TAG = 'ab12cd34ef56ab78';

describe('ownerTerms', () => {
  it("indexes a text's words, normalised and lower-cased, under the owner's tag", () => {
    expect(ownerTerms(TAG, 'Ｆｕｌｌ-width Café, naïve')).toBe(
      `${TAG}full ${TAG}width ${TAG}cafe ${TAG}naive`,
    );
  });

  it('normalises a combining sequence whole, whichever piece it falls in', () => {
    const decomposed = `${'x '.repeat(40_000)}cafe\u0301 ${'y '.repeat(40_000)}`;
    expect(ownerTerms(TAG, decomposed)).toContain(`${TAG}cafe `);
  });

  // Found in an exploratory test: a Chinese text of 2,000,000 letters without
  // punctuation was 2,000,000 pairs, 3.5 s on the event loop.
  it('reads the first MAX_PAIRED_LETTERS letters of unspaced scripts in pairs, the rest of a run as one term', () => {
    const letters = Array.from({ length: MAX_PAIRED_LETTERS + 50_000 }, (_unused, index) =>
      String.fromCharCode(0x4e00 + (index % 3000)),
    ).join('');
    const terms = ownerTerms(TAG, `${letters} 東京`).split(' ');
    // The pairs, the last paired letter, the run's rest; then the next run whole.
    expect(terms).toHaveLength(MAX_PAIRED_LETTERS + 2);
    expect(terms[0]).toBe(`${TAG}${letters.slice(0, 2)}`);
    expect(terms[MAX_PAIRED_LETTERS]).toBe(`${TAG}${letters.slice(MAX_PAIRED_LETTERS)}`);
    expect(terms[MAX_PAIRED_LETTERS + 1]).toBe(`${TAG}東京`);
  });

  // Found in review: U+FDFA is 18 characters in NFKC; 1,990,000 of them made
  // 131 M characters of terms on the event loop (4.4 s, 1.8 GB) per upload.
  it('takes the first 2,000,000 normalised characters of a text that NFKC multiplies', () => {
    const words = ownerTerms(TAG, '\uFDFA'.repeat(1_990_000)).split(' ');
    // Each U+FDFA is 18 characters of four words, the last run together
    // with the next one's first: 333,334 words in the first 2,000,000
    // characters (5,970,001 in the whole).
    expect(words.length).toBeGreaterThan(330_000);
    expect(words.length).toBeLessThanOrEqual((MAX_INDEXED_CHARS / 18) * 3 + 2);
  });
});
