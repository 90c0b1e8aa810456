import { splitSentences } from '../text/sentences';
import { isStopword } from '../text/stopwords';
import { compareCodeUnits } from '../text/code-unit-order';

export type EntityType = 'organization' | 'acronym' | 'name';

export interface NamedEntity {
  /** The most frequent spelling in the text. */
  readonly name: string;
  /** Lower-cased name: the identity of the entity within one owner. */
  readonly key: string;
  readonly type: EntityType;
  readonly mentions: number;
}

export interface EntityMention {
  readonly key: string;
  readonly sentence: number;
}

// Combining marks (\p{M}) belong to the word: decomposed (NFD) text keeps
// them as separate characters, and without them "Müller" stopped at the "u".
const TOKEN = /[\p{L}\p{N}][\p{L}\p{M}\p{N}'’&.-]*/gu;
// Trailing punctuation and a possessive 's, in any order they come: "Corp.",
// "Google's.", "U.S.'s".
const NOT_PART_OF_NAME = /[.'’-]*(?:['’]s)?[.'’-]*$/u;
const CONNECTORS = new Set(['of', 'de', 'du', 'von', 'van', 'der', 'la', 'for', 'and', '&']);
/**
 * Adverbs that open English sentences ("Yesterday Microsoft announced…") and
 * hardly ever begin a name: capitalised only for opening the sentence, they
 * are left out of the name after them. Function words ("However", "Then")
 * are already, as stopwords; words that do begin names ("First National
 * Bank", "Next Generation") are not listed.
 */
const SENTENCE_OPENING_ADVERBS = new Set(
  `yesterday today tomorrow tonight meanwhile later earlier finally recently moreover furthermore
  therefore hence instead indeed perhaps maybe initially eventually currently previously
  additionally unfortunately fortunately nevertheless nonetheless similarly likewise subsequently
  ultimately afterwards consequently accordingly notably importantly interestingly surprisingly
  sometimes usually often already thereafter lastly firstly secondly`.split(/\s+/),
);
const ORGANIZATION_WORDS =
  /\b(inc|corp|corporation|company|foundation|university|institute|ltd|llc|gmbh|association|agency|ministry|council|bank|group)\b/i;

/**
 * The word as a name is spelled: "Google's" is a mention of Google, and a
 * typographic apostrophe (O’Brien) is the same name as a straight one
 * (O'Brien), so both become ' in names and keys.
 */
function nameToken(raw: string): string {
  return raw.replace(NOT_PART_OF_NAME, '').replace(/’/gu, "'");
}

function isCapitalised(token: string): boolean {
  const first = token[0] ?? '';
  return first !== first.toLowerCase();
}

function isShouting(text: string): boolean {
  const letters = text.replace(/[^\p{L}]/gu, '');
  return letters.length > 12 && letters === letters.toUpperCase();
}

function classify(name: string): EntityType {
  if (/^[A-Z0-9&]{2,6}$/.test(name)) return 'acronym';
  return ORGANIZATION_WORDS.test(name) ? 'organization' : 'name';
}

function trimName(tokens: string[]): string[] {
  let from = 0;
  let to = tokens.length;
  while (
    from < to &&
    (isStopword((tokens[from] ?? '').toLowerCase()) ||
      CONNECTORS.has((tokens[from] ?? '').toLowerCase()))
  )
    from += 1;
  while (to > from && CONNECTORS.has((tokens[to - 1] ?? '').toLowerCase())) to -= 1;
  return tokens.slice(from, to);
}

/**
 * Named entities by capitalisation: runs of capitalised words ("University of
 * California", "Covered Software") and acronyms. A capitalised word that only
 * ever opens a sentence is ordinary prose, not a name. All-capitals passages
 * are skipped because capitalisation says nothing there.
 */
export function extractEntityMentions(text: string): {
  entities: NamedEntity[];
  mentions: EntityMention[];
} {
  // One name in composed (NFC) and decomposed (NFD) form is one entity, so
  // keys and names are always NFC.
  const sentences = splitSentences(text.normalize('NFC'));
  const midSentenceCapitalised = new Set<string>();
  const runsBySentence: Array<Array<{ tokens: string[]; opensSentence: boolean }>> = [];

  sentences.forEach((sentence) => {
    const runs: Array<{ tokens: string[]; opensSentence: boolean }> = [];
    runsBySentence.push(runs);
    if (isShouting(sentence.text)) return;
    const tokens = [...sentence.text.matchAll(TOKEN)].map((match) => nameToken(match[0]));
    let run: string[] = [];
    let runStart = 0;
    const flush = (index: number) => {
      while (run.length > 0 && CONNECTORS.has((run.at(-1) ?? '').toLowerCase())) run.pop();
      if (run.length > 0) runs.push({ tokens: run, opensSentence: runStart === 0 });
      run = [];
      runStart = index + 1;
    };
    tokens.forEach((token, index) => {
      if (token.length === 0) return flush(index);
      if (isCapitalised(token) && !/^\d/.test(token)) {
        if (run.length === 0) runStart = index;
        run.push(token);
        if (index > 0) midSentenceCapitalised.add(token.toLowerCase());
      } else if (
        run.length > 0 &&
        CONNECTORS.has(token.toLowerCase()) &&
        isCapitalised(tokens[index + 1] ?? '')
      ) {
        run.push(token);
      } else {
        flush(index);
      }
    });
    flush(tokens.length);
  });

  const byKey = new Map<
    string,
    { spellings: Map<string, number>; mentions: number; first: number }
  >();
  const mentions: EntityMention[] = [];
  runsBySentence.forEach((runs, sentenceIndex) => {
    for (const { tokens, opensSentence } of runs) {
      // Otherwise a run that opens a sentence stays whole: a word capitalised
      // only there may still begin a name ("Alice Smith", "Bank of America").
      const opener = opensSentence && SENTENCE_OPENING_ADVERBS.has((tokens[0] ?? '').toLowerCase());
      let nameTokens = trimName(opener ? tokens.slice(1) : tokens);
      // A lone capitalised word at the start of a sentence counts only if the
      // text also capitalises it elsewhere.
      if (
        opensSentence &&
        nameTokens.length === 1 &&
        !midSentenceCapitalised.has((nameTokens[0] ?? '').toLowerCase())
      ) {
        nameTokens = [];
      }
      if (nameTokens.length === 0) continue;
      const name = nameTokens.join(' ');
      if (name.length < 2 || (nameTokens.length === 1 && isStopword(name.toLowerCase()))) continue;
      const key = name.toLowerCase();
      const entry = byKey.get(key) ?? { spellings: new Map(), mentions: 0, first: mentions.length };
      entry.mentions += 1;
      entry.spellings.set(name, (entry.spellings.get(name) ?? 0) + 1);
      byKey.set(key, entry);
      mentions.push({ key, sentence: sentenceIndex });
    }
  });

  const entities = [...byKey.entries()]
    .map(([key, entry]) => {
      const name =
        [...entry.spellings.entries()].sort(
          (a, b) => b[1] - a[1] || compareCodeUnits(a[0], b[0]),
        )[0]?.[0] ?? key;
      return {
        entity: { name, key, type: classify(name), mentions: entry.mentions },
        first: entry.first,
      };
    })
    .sort((left, right) => right.entity.mentions - left.entity.mentions || left.first - right.first)
    .map(({ entity }) => entity);
  return { entities, mentions };
}

export function extractNamedEntities(text: string, limit = 15): NamedEntity[] {
  return extractEntityMentions(text).entities.slice(0, limit);
}
