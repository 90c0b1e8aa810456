import { foldLetters } from '@docuthinker/contracts';
import { foldForTerms } from '../text/tokenize';

/** A character as a term reads it: folded for terms, then without accents and strokes. */
const fold = (character: string) => foldLetters(foldForTerms(character));

/**
 * The characters stored text may hold for the characters of a term. Terms
 * come from text folded as `words` folds it (NFKC, lower case, "İ" and "ı"
 * read as "i", optional vowel marks dropped) and words without their accents
 * and strokes (foldLetters), while Chroma's regex prefilter runs on the text
 * as stored, where a compatibility form or a letter with an accent stands
 * for one or more term characters: "ﬁ" for "fi", "Ｆ" for "f", "①" for "1",
 * "ǅ" for "dz", "ó" for "o", "æ" for "ae". Read once from the running Node's
 * Unicode tables, so the prefilter folds as the tokenizer does.
 */

/** Planes 0-2: the compatibility forms and compatibility ideographs lie in them. */
const LAST_CODE_POINT = 0x2ffff;

interface Spellings {
  /** Term character -> the other single characters that fold to it. */
  readonly single: ReadonlyMap<string, readonly number[]>;
  /** First term character -> characters that fold to several, with their folds. */
  readonly several: ReadonlyMap<string, readonly { code: number; folded: readonly string[] }[]>;
}

let spellings: Spellings | undefined;

function compatibilitySpellings(): Spellings {
  if (spellings) return spellings;
  const single = new Map<string, number[]>();
  const several = new Map<string, { code: number; folded: string[] }[]>();
  for (let code = 0; code <= LAST_CODE_POINT; code += 1) {
    if (code >= 0xd800 && code <= 0xdfff) continue;
    const character = String.fromCodePoint(code);
    const folded = fold(character);
    if (folded === character || folded === '') continue;
    const characters = Array.from(folded);
    const first = characters[0] as string;
    if (characters.length === 1) single.set(first, [...(single.get(first) ?? []), code]);
    else several.set(first, [...(several.get(first) ?? []), { code, folded: characters }]);
  }
  spellings = { single, several };
  return spellings;
}

function hex(code: number): string {
  return `\\x{${code.toString(16)}}`;
}

/** A regex character class of code points, runs written as ranges. */
function characterClass(codes: readonly number[]): string {
  const sorted = [...new Set(codes)].sort((left, right) => left - right);
  const parts: string[] = [];
  for (let index = 0; index < sorted.length;) {
    let end = index;
    while (end + 1 < sorted.length && (sorted[end + 1] as number) === (sorted[end] as number) + 1)
      end += 1;
    const from = sorted[index] as number;
    const to = sorted[end] as number;
    parts.push(from === to ? hex(from) : `${hex(from)}-${hex(to)}`);
    index = end + 1;
  }
  return `[${parts.join('')}]`;
}

/**
 * Builds the table now (about 100 ms of one core): an adapter calls it while
 * it connects, so the first lexical search does not hold the event loop.
 */
export function prepareCompatibilitySpellings(): void {
  compatibilitySpellings();
}

/** The other single characters stored text may hold for `character` of a term, as a class. */
export function compatibilityClass(character: string): string | undefined {
  const codes = compatibilitySpellings().single.get(character);
  return codes ? characterClass(codes) : undefined;
}

/**
 * Characters of a term's pattern, each with the characters that stand for
 * it and the ones after it: position `index` may be written by a character
 * that folds to several term characters ("ﬃ" at the "f" of "office"), and
 * then the characters it covers are optional. That admits a little more than
 * the compatibility spellings ("ofce"), which costs a candidate BM25 then
 * drops; spelling out each path instead would grow the pattern with every
 * ligature the term could hold. A character folding past the end of the term
 * counts too: the term is a stem, a prefix of the stored word.
 */
export function severalCharacterSpellings(characters: readonly string[]): {
  readonly standsFor: readonly (string | undefined)[];
  readonly optional: readonly boolean[];
} {
  const { several } = compatibilitySpellings();
  const standsFor: (string | undefined)[] = [];
  const optional = characters.map(() => false);
  characters.forEach((character, index) => {
    const codes: number[] = [];
    for (const { code, folded } of several.get(character) ?? []) {
      const fits = folded.every(
        (foldedCharacter, offset) =>
          index + offset >= characters.length || characters[index + offset] === foldedCharacter,
      );
      if (!fits) continue;
      codes.push(code);
      for (
        let offset = 1;
        offset < folded.length && index + offset < characters.length;
        offset += 1
      )
        optional[index + offset] = true;
    }
    standsFor.push(codes.length > 0 ? characterClass(codes) : undefined);
  });
  return { standsFor, optional };
}
