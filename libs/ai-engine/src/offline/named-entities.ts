import { splitSentences } from '../text/sentences';
import { isStopword } from '../text/stopwords';
import { withoutInWordIgnorables } from '@docuthinker/contracts';
import { compareCodeUnits } from '../text/code-unit-order';

export type EntityType = 'organization' | 'acronym' | 'name';

export interface NamedEntity {
  /** The most frequent spelling in the text. */
  readonly name: string;
  /** NFKC-folded, lower-cased name: the identity of the entity within one owner. */
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
// A lone "&" is a token too, so that it can separate two names (COORDINATORS):
// skipped, it ran "Alice & Bob" together into the one name "Alice Bob".
const TOKEN = /[\p{L}\p{N}][\p{L}\p{M}\p{N}'’&.-]*|&/gu;
// Trailing punctuation and a possessive 's, in any order they come: "Corp.",
// "Google's.", "U.S.'s".
const NOT_PART_OF_NAME = /[.'’-]*(?:['’]s)?[.'’-]*$/u;
const CONNECTORS = new Set(['of', 'de', 'du', 'von', 'van', 'der', 'la', 'for', 'and', '&']);
/**
 * The connectors that join two names rather than build one: "Alice Smith and
 * Bob Jones" are two people. Lower-case only: a title-case "And" ("Terms And
 * Conditions") belongs to a heading, which names one thing.
 */
const COORDINATORS = new Set(['and', '&']);
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
/**
 * Words that open a run of capitals without belonging to the name after
 * them: conjunctions, and verbs and labels that open sentences or
 * parentheticals ("Unless You…", "Visit São Paulo", "See Section 3",
 * "Note: …"). Stripped from the front of a name wherever it stands.
 */
const LEADING_NON_NAME_WORDS = new Set(
  `unless although though since whereas notwithstanding except visit see note please contact call
  read use click`.split(/\s+/),
);
/**
 * Common words that are capitalised as headings, labels or at the start of
 * a sentence, and months and weekdays: not entities on their own ("Note",
 * "Section", "January"), though they may be part of one ("Exhibit A",
 * "First National Bank").
 */
const COMMON_WORDS = new Set(
  `note notes common first second third last next previous other difference differences condition
  conditions section sections subsection subsections chapter chapters appendix appendices paragraph
  paragraphs clause clauses example examples figure figures table tables page pages introduction
  summary overview conclusion conclusions contents history version versions edit flag flags header
  created language directory literal load copyright definitions definition terms
  january february march april may june july august september october november december
  monday tuesday wednesday thursday friday saturday sunday`.split(/\s+/),
);
/**
 * Words that end a run of capitals without belonging to the name before
 * them, written in title case: a determiner or conjunction that opens the
 * next sentence when a heading runs into it ("Shared MIME-info Database
 * The", "Extended Attributes An", "Version This"). Only these: other
 * stopwords do end names ("Theresa May", "Toys R Us"), and "A" ends
 * "Exhibit A".
 */
const TRAILING_NON_NAME_WORDS = new Set(
  // "Version": "Apache License Version 2.0" names the Apache License (found
  // in review: "Apache License Version" was an entity beside it).
  `the an this these those that if when where while how do version`.split(/\s+/),
);
/** Punctuation that ends a name: "of this License, Derivative Works" names two. */
const NAME_BREAK = /[,;:()[\]{}]/;
// A longer run of capitalised words is a title-cased heading or a table of
// contents, not a name: unbounded, one run of 2 M characters became one
// knowledge-graph entity, and every entity listing of its owner carried it
// (found in review). The longest real names stay well within these.
const MAX_NAME_WORDS = 8;
const MAX_NAME_CHARACTERS = 100;
/**
 * The requirement words of specifications (RFC 2119: "Applications MUST
 * match…"), written in capitals after a name that is not: they end a run
 * of capitals without belonging to it.
 */
const REQUIREMENT_WORDS = new Set(
  `must shall should may required recommended optional not do`.split(/\s+/),
);
/**
 * Words an all-capitals clause holds and a name does not: "BASIS WITHOUT
 * WARRANTIES OR CONDITIONS OF ANY KIND", "SHALL NOT", "AS IS".
 */
const CLAUSE_WORDS = new Set(`or any without not no is are be`.split(/\s+/));
const ORGANIZATION_WORDS =
  /\b(inc|corp|corporation|company|foundation|university|institute|ltd|llc|gmbh|association|agency|ministry|council|bank|group)\b/i;

/**
 * The identity of a name: NFKC-folded as the retrieval tokenizer folds text
 * (words in tokenize.ts), so that a full-width "ＡＣＭＥ" is the same entity
 * as "ACME", then lower-cased.
 */
function foldName(name: string): string {
  return name.normalize('NFKC').toLowerCase();
}

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

function classify(written: string): EntityType {
  // Full-width "ＡＣＭＥ" is an acronym as "ACME" is.
  const name = written.normalize('NFKC');
  if (/^[A-Z0-9&]{2,6}$/.test(name)) return 'acronym';
  return ORGANIZATION_WORDS.test(name) ? 'organization' : 'name';
}

function isAllCapitals(text: string): boolean {
  const letters = text.replace(/[^\p{L}]/gu, '');
  return (
    letters.length > 0 && letters === letters.toUpperCase() && letters !== letters.toLowerCase()
  );
}

/**
 * A name without the words at its edges that do not belong to it: function
 * words, connectors and LEADING_NON_NAME_WORDS at the front, and connectors
 * and title-case TRAILING_NON_NAME_WORDS at the end ("Shared MIME-info
 * Database The", where a heading ran into the next sentence). Other words
 * stay at the end: "Theresa May", "Toys R Us", "Amazon US", "Exhibit A".
 */
function trimName(tokens: string[]): string[] {
  let from = 0;
  let to = tokens.length;
  const word = (index: number) => (tokens[index] ?? '').toLowerCase();
  while (
    from < to &&
    (isStopword(word(from)) || CONNECTORS.has(word(from)) || LEADING_NON_NAME_WORDS.has(word(from)))
  )
    from += 1;
  const trailingNonName = (index: number) => {
    const token = tokens[index] ?? '';
    if (isAllCapitals(token)) {
      return (
        REQUIREMENT_WORDS.has(token.toLowerCase()) &&
        tokens.slice(from, index).some((before) => !isAllCapitals(before))
      );
    }
    return TRAILING_NON_NAME_WORDS.has(token.toLowerCase()) && isCapitalised(token);
  };
  while (to > from && (CONNECTORS.has(word(to - 1)) || trailingNonName(to - 1))) to -= 1;
  return tokens.slice(from, to);
}

/**
 * Whether a name is one a reader would not call an entity: a common word
 * on its own (COMMON_WORDS, sentence-opening adverbs) or an all-capitals
 * clause of boilerplate. A clause holds a word that names do not
 * (CLAUSE_WORDS: "BASIS WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND", or a
 * lone "A" inside: "FITNESS FOR A PARTICULAR PURPOSE"), or is a list its
 * text separates with commas (`listed`: "TITLE, NON-INFRINGEMENT,
 * MERCHANTABILITY"). An all-capitals name that ends in an organisation word
 * ("INTERNATIONAL BUSINESS MACHINES CORPORATION") is a party, never a
 * clause; acronyms ("MIME", "XML") stay.
 */
function isCommonPhrase(nameTokens: readonly string[], listed: boolean): boolean {
  const allCapitals = isAllCapitals(nameTokens.join(''));
  if (nameTokens.length === 1) {
    const word = foldName(nameTokens[0] ?? '');
    // A listed word in capitals is a term ("MERCHANTABILITY"); a short
    // one, an acronym ("BSD, MIT").
    const listedTerm = listed && allCapitals && word.replace(/[^\p{L}]/gu, '').length > 4;
    return listedTerm || COMMON_WORDS.has(word) || SENTENCE_OPENING_ADVERBS.has(word);
  }
  if (!allCapitals || ORGANIZATION_WORDS.test(nameTokens.at(-1) ?? '')) return false;
  const words = nameTokens.map(foldName);
  return (
    listed ||
    words.some((word) => CLAUSE_WORDS.has(word)) ||
    words.slice(1, -1).some((word) => word === 'a')
  );
}

/**
 * Whether two names joined by "and" or "&" are one: a firm named after one
 * word and another ("Procter and Gamble Company", "Johnson & Johnson Inc",
 * "Marks & Spencer Group"), or one word twice ("Johnson & Johnson"). Two
 * words on the left ("Alice Smith and Acme Corporation") or an organisation
 * on the left ("Acme Bank and Beta Group") make them a list of two.
 */
function isOneCoordinatedName(left: string[], right: string[]): boolean {
  if (left.length !== 1 || right.length === 0) return false;
  const leftWord = foldName(left[0] ?? '');
  if (right.length === 1 && foldName(right[0] ?? '') === leftWord) return true;
  return !ORGANIZATION_WORDS.test(leftWord) && ORGANIZATION_WORDS.test(right.at(-1) ?? '');
}

/**
 * A run split into the names it lists: "Alice Smith and Bob Jones" into
 * "Alice Smith" and "Bob Jones", but "Procter and Gamble Company and Johnson
 * & Johnson Inc" into those two firms (isOneCoordinatedName). "of" and the
 * other connectors stay inside names ("Bank of England").
 */
function splitCoordination(tokens: string[]): string[][] {
  const segments: string[][] = [[]];
  const coordinators: string[] = [];
  for (const token of tokens) {
    if (COORDINATORS.has(token)) {
      coordinators.push(token);
      segments.push([]);
    } else {
      segments.at(-1)?.push(token);
    }
  }
  if (segments.length === 1) return segments;
  const names: string[][] = [];
  for (let index = 0; index < segments.length; index += 1) {
    const left = trimName(segments[index] ?? []);
    const right = trimName(segments[index + 1] ?? []);
    if (isOneCoordinatedName(left, right)) {
      names.push([...left, coordinators[index] ?? 'and', ...right]);
      index += 1;
    } else if (left.length > 0) {
      names.push(left);
    }
  }
  return names;
}

/**
 * The names in each sentence of the text, as tokens: runs of capitalised
 * words ("University of California", "Covered Software") and acronyms. A
 * capitalised word that only ever opens a sentence is ordinary prose, not a
 * name. All-capitals passages are skipped because capitalisation says
 * nothing there.
 */
function namesBySentence(text: string): SentenceName[] {
  // One name in composed (NFC) and decomposed (NFD) form is one entity, so
  // names are always NFC (and keys NFKC, see foldName).
  const sentences = splitSentences(withoutInWordIgnorables(text.normalize('NFC')));
  const midSentenceCapitalised = new Set<string>();
  // One flat list, not a list per sentence: 2 M characters of one-word
  // sentences ("Ok. Ok. …") held a million small arrays and ran the worker
  // out of its heap (found in review).
  const runs: Array<{
    sentence: number;
    tokens: string[];
    opensSentence: boolean;
    listed: boolean;
  }> = [];

  sentences.forEach((sentence, sentenceIndex) => {
    if (isShouting(sentence.text)) return;
    const matches = [...sentence.text.matchAll(TOKEN)];
    const tokens = matches.map((match) => nameToken(match[0]));
    // What stands between a token and the one before it.
    const gapBefore = matches.map((match, index) => {
      const previous = matches[index - 1];
      if (previous === undefined) return '';
      return sentence.text.slice((previous.index ?? 0) + previous[0].length, match.index);
    });
    let run: string[] = [];
    let runStart = 0;
    let listed = false;
    const flush = (index: number, nextListed = false) => {
      while (run.length > 0 && CONNECTORS.has((run.at(-1) ?? '').toLowerCase())) run.pop();
      if (run.length > 0) {
        runs.push({ sentence: sentenceIndex, tokens: run, opensSentence: runStart === 0, listed });
      }
      run = [];
      runStart = index + 1;
      listed = nextListed;
    };
    tokens.forEach((token, index) => {
      if (token.length === 0) return flush(index);
      if (isCapitalised(token) && !/^\d/.test(token)) {
        // Words in capitals that commas separate are a list ("TITLE,
        // NON-INFRINGEMENT, MERCHANTABILITY"), not one name ("ACME, INC."
        // is one); joined by "_" they are an identifier ("N_ALIASES").
        const bothCapitals =
          run.length > 0 && isAllCapitals(run.at(-1) ?? '') && isAllCapitals(token);
        if (bothCapitals && gapBefore[index]?.includes('_')) listed = true;
        if (bothCapitals && gapBefore[index]?.includes(',') && !ORGANIZATION_WORDS.test(token)) {
          listed = true;
          flush(index - 1, true);
        } else if (
          run.length > 0 &&
          NAME_BREAK.test(gapBefore[index] ?? '') &&
          !(gapBefore[index]?.trim() === ',' && ORGANIZATION_WORDS.test(token))
        ) {
          // Found in review: "License Derivative Works" ran on across the
          // comma of "this License, Derivative Works"; "ACME, Inc." stays one name.
          flush(index - 1);
        }
        if (run.length === 0) runStart = index;
        run.push(token);
        if (index > 0) midSentenceCapitalised.add(foldName(token));
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

  return runs.flatMap(({ sentence, tokens, opensSentence, listed }) => {
    // Otherwise a run that opens a sentence stays whole: a word capitalised
    // only there may still begin a name ("Alice Smith", "Bank of America").
    const opener = opensSentence && SENTENCE_OPENING_ADVERBS.has((tokens[0] ?? '').toLowerCase());
    const names = splitCoordination(trimName(opener ? tokens.slice(1) : tokens));
    // A lone capitalised word at the start of a sentence counts only if the
    // text also capitalises it elsewhere, or joins it to another name
    // ("Microsoft and Google compete"): prose is seldom listed with names.
    if (
      opensSentence &&
      names.length === 1 &&
      names[0]?.length === 1 &&
      !midSentenceCapitalised.has(foldName(names[0][0] ?? ''))
    ) {
      return [];
    }
    return names
      .filter((nameTokens) => {
        const name = nameTokens.join(' ');
        return (
          name.length >= 2 &&
          name.length <= MAX_NAME_CHARACTERS &&
          nameTokens.length <= MAX_NAME_WORDS &&
          !(nameTokens.length === 1 && isStopword(name.toLowerCase())) &&
          !isCommonPhrase(nameTokens, listed)
        );
      })
      .map((nameTokens) => ({ sentence, tokens: nameTokens }));
  });
}

/** A name as tokens, and the position of the sentence it stands in. */
interface SentenceName {
  readonly sentence: number;
  readonly tokens: string[];
}

/**
 * Where the name `known` stands inside the longer name `name`, each
 * occurrence's start; both as folded tokens, so compared as keys are.
 */
function occurrencesInside(name: readonly string[], known: readonly string[]): number[] {
  const starts: number[] = [];
  if (known.length === 0 || known.length >= name.length) return starts;
  for (let start = 0; start + known.length <= name.length; start += 1) {
    if (known.every((token, offset) => name[start + offset] === token)) {
      starts.push(start);
      start += known.length - 1;
    }
  }
  return starts;
}

/**
 * The keys `key` would have as a singular, English-fashion, its last word
 * changed: "secondary licenses" → "secondary license", "policies" →
 * "policy", "boxes" → "box", and an acronym's "URIs" → "uri". Not for words
 * ending in "ss" ("Congress") or "us"/"is" ("Campus", "Paris"). A single
 * word only if the text also uses it as a common noun (`commonNouns`, see
 * commonNounWords: "its Contributions" → "contribution"): otherwise it is
 * as likely a surname ("Williams", "Roberts") as a plural.
 */
function singularKeys(
  key: string,
  spellings: readonly string[],
  commonNouns: ReadonlySet<string>,
): string[] {
  if (spellings.some((spelling) => /\p{Lu}{2,}s$/u.test(spelling))) return [key.slice(0, -1)];
  if (!/[^su]s$/u.test(key) || /is$/u.test(key)) return [];
  const keys = [key.slice(0, -1)];
  if (key.endsWith('ies')) keys.unshift(`${key.slice(0, -3)}y`);
  else if (/(?:x|ch|sh|z)es$/u.test(key)) keys.push(key.slice(0, -2));
  if (key.includes(' ')) return keys;
  return [key, ...keys].some((word) => commonNouns.has(word)) ? keys : [];
}

/**
 * Determiners that go with a common noun and hardly with a surname: "its
 * Contributions", "such Contribution", "each Contribution". Not "the" ("the
 * Williams family").
 */
const COMMON_NOUN_DETERMINERS = new Set(
  `a an its their his her our your my any each every such all some no these those this that other
  another`.split(/\s+/),
);

/**
 * The words the text uses as common nouns, folded as keys are: written in
 * lower case ("contributions"), or capitalised right after a determiner
 * (COMMON_NOUN_DETERMINERS: "its Contributions").
 */
function commonNounWords(text: string): Set<string> {
  const words = new Set<string>();
  const normalized = withoutInWordIgnorables(text.normalize('NFC'));
  let previous: { word: string; end: number } | undefined;
  for (const match of normalized.matchAll(TOKEN)) {
    const word = nameToken(match[0]);
    const start = match.index ?? 0;
    if (word.length > 0) {
      const folded = foldName(word);
      const afterDeterminer =
        previous !== undefined &&
        COMMON_NOUN_DETERMINERS.has(previous.word) &&
        /^[ \t]+$/u.test(normalized.slice(previous.end, start));
      if (afterDeterminer || (!isCapitalised(word) && word === word.toLowerCase())) {
        words.add(folded);
      }
      previous = { word: folded, end: start + match[0].length };
    } else {
      previous = undefined;
    }
  }
  return words;
}

export interface EntityExtractionOptions {
  /**
   * A text, such as a document's title, whose names also count where the
   * text mentions them inside a longer name: it shows where a name ends when
   * the capitals of the text run on past it ("The Analytical Engine" in "The
   * Analytical Engine of Charles Babbage was never finished"). Its names that
   * the text does not mention are not entities of the text.
   */
  readonly namesFrom?: string;
}

/**
 * Named entities by capitalisation (namesBySentence), the most mentioned
 * first, and the sentences that mention them.
 */
export function extractEntityMentions(
  text: string,
  options: EntityExtractionOptions = {},
): {
  entities: NamedEntity[];
  mentions: EntityMention[];
} {
  // Each name of `namesFrom` once, as folded tokens.
  const known = new Map<string, string[]>();
  for (const { tokens } of namesBySentence(options.namesFrom ?? '')) {
    const folded = tokens.map(foldName);
    known.set(folded.join(' '), folded);
  }
  const byKey = new Map<
    string,
    { spellings: Map<string, number>; mentions: number; first: number }
  >();
  const mentions: EntityMention[] = [];
  const mention = (nameTokens: readonly string[], sentence: number) => {
    const name = nameTokens.join(' ');
    const key = foldName(name);
    const entry = byKey.get(key) ?? { spellings: new Map(), mentions: 0, first: mentions.length };
    entry.mentions += 1;
    entry.spellings.set(name, (entry.spellings.get(name) ?? 0) + 1);
    byKey.set(key, entry);
    mentions.push({ key, sentence });
  };
  for (const { sentence, tokens: nameTokens } of namesBySentence(text)) {
    mention(nameTokens, sentence);
    if (known.size === 0) continue;
    const folded = nameTokens.map(foldName);
    for (const knownTokens of known.values()) {
      for (const start of occurrencesInside(folded, knownTokens)) {
        mention(nameTokens.slice(start, start + knownTokens.length), sentence);
      }
    }
  }

  // A plural is a mention of its singular when the text has both
  // ("Contributions" and "Contribution"): one entity, under the singular.
  const merged = new Map<string, string>();
  const commonNouns = commonNounWords(text);
  for (const [key, entry] of byKey) {
    const singular = singularKeys(key, [...entry.spellings.keys()], commonNouns).find((candidate) =>
      byKey.has(candidate),
    );
    if (singular === undefined) continue;
    const into = byKey.get(singular);
    if (into === undefined || into === entry) continue;
    into.mentions += entry.mentions;
    into.first = Math.min(into.first, entry.first);
    byKey.delete(key);
    merged.set(key, singular);
  }

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
  return {
    entities,
    mentions:
      merged.size === 0
        ? mentions
        : mentions.map(({ key, sentence }) => ({ key: merged.get(key) ?? key, sentence })),
  };
}

export function extractNamedEntities(text: string, limit = 15): NamedEntity[] {
  return extractEntityMentions(text).entities.slice(0, limit);
}
