import { splitsSurrogatePair } from '@docuthinker/contracts';
import { matchesAsPrefix } from './search-terms';
import { placedTerms, termsOf } from './search-words';

const SNIPPET_RADIUS = 80;
/**
 * The widest stretch of text whose matches count as close together: it
 * leaves room on both sides inside the 2 × SNIPPET_RADIUS characters shown.
 */
const CLUSTER_WIDTH = 120;
/** Runs of text that may hold words: everything but spaces and punctuation. */
const TOKEN = /[^\s\p{P}]+/gu;
const ASCII_WORD = /^[A-Za-z0-9]+$/;
const FOLDED_TOKENS_CACHED = 50_000;
/** Hits carry their terms as bits of a 32-bit mask (searchTerms keeps 12). */
const MAX_MASKED_TERMS = 30;

/**
 * Longer tokens than this (a run of Chinese without punctuation) are
 * searched for the terms directly rather than read term by term: reading a
 * 2,000,000-character one took a second per hit (exploratory test).
 */
const LONG_TOKEN = 1_000;
/** Places of one term in a long token looked at. */
const MOST_HITS_PER_TERM = 200;

interface Hit {
  readonly start: number;
  readonly end: number;
  /** The terms (bit per term index) that the word begins with. */
  readonly terms: number;
}

/**
 * Where words of `flat` begin with one of `terms` (already folded), as the
 * index's prefix queries match: at the start of a word, never inside one.
 */
function termHits(flat: string, terms: readonly string[]): Hit[] {
  const hits: Hit[] = [];
  // Texts repeat their words: each distinct one is normalised once.
  const foldedTokens = new Map<string, Array<{ word: string; start: number; end: number }>>();
  const matching = (word: string): number => {
    let mask = 0;
    terms.forEach((term, index) => {
      if (word.startsWith(term)) mask |= 1 << index;
    });
    return mask;
  };
  for (const match of flat.matchAll(TOKEN)) {
    const token = match[0];
    const at = match.index;
    if (ASCII_WORD.test(token)) {
      const mask = matching(token.toLowerCase());
      if (mask !== 0) hits.push({ start: at, end: at + token.length, terms: mask });
      continue;
    }
    if (token.length > LONG_TOKEN) {
      hits.push(...longTokenHits(token, at, terms));
      continue;
    }
    // Normalising may change the length ("ﬁ" is "fi"): terms of the token
    // are placed at their own offset only where the lengths agree, otherwise
    // over the whole token.
    let words = foldedTokens.get(token);
    if (words === undefined) {
      const normalised = token.normalize('NFKC').toLowerCase();
      const sameLength = normalised.length === token.length;
      words = placedTerms(normalised).map(({ term, start, end }) => ({
        word: term,
        start: sameLength ? start : 0,
        end: sameLength ? end : token.length,
      }));
      if (foldedTokens.size < FOLDED_TOKENS_CACHED) foldedTokens.set(token, words);
    }
    for (const word of words) {
      const mask = matching(word.word);
      if (mask === 0) continue;
      const start = at + word.start;
      const end = at + word.end;
      hits.push({ start, end, terms: mask });
    }
  }
  return hits;
}

/**
 * Where the terms occur in a long token, anywhere in it, as the pairs of an
 * unspaced script do; in order of place.
 */
function longTokenHits(token: string, at: number, terms: readonly string[]): Hit[] {
  const normalised = token.normalize('NFKC').toLowerCase();
  const sameLength = normalised.length === token.length;
  const hits: Hit[] = [];
  terms.forEach((term, index) => {
    let from = 0;
    for (let found = 0; found < MOST_HITS_PER_TERM; found += 1) {
      const place = normalised.indexOf(term, from);
      if (place === -1) break;
      hits.push({
        start: at + (sameLength ? place : 0),
        end: at + (sameLength ? place + term.length : token.length),
        terms: 1 << index,
      });
      from = place + term.length;
    }
  });
  return hits.sort((left, right) => left.start - right.start);
}

/**
 * The stretch of at most CLUSTER_WIDTH characters where the most distinct
 * terms match, the tightest of those, the earliest of equals; one pass over
 * the hits with a sliding window.
 */
function bestCluster(hits: readonly Hit[], termCount: number): { start: number; end: number } {
  const counts = new Array<number>(termCount).fill(0);
  let distinct = 0;
  let best = { distinct: 0, start: 0, end: 0 };
  const add = (mask: number, by: 1 | -1) => {
    for (let index = 0; index < termCount; index += 1) {
      if ((mask & (1 << index)) === 0) continue;
      const before = counts[index] ?? 0;
      counts[index] = before + by;
      if (before === 0 && by === 1) distinct += 1;
      if (before === 1 && by === -1) distinct -= 1;
    }
  };
  const redundant = (mask: number) => {
    for (let index = 0; index < termCount; index += 1) {
      if ((mask & (1 << index)) !== 0 && (counts[index] ?? 0) < 2) return false;
    }
    return true;
  };
  let left = 0;
  hits.forEach((hit, right) => {
    add(hit.terms, 1);
    // Drop hits that are too far back, then those whose terms match again
    // later in the window: what remains is the tightest window ending here.
    while (left < right && hit.end - (hits[left]?.start ?? 0) > CLUSTER_WIDTH) {
      add(hits[left]?.terms ?? 0, -1);
      left += 1;
    }
    while (left < right && redundant(hits[left]?.terms ?? 0)) {
      add(hits[left]?.terms ?? 0, -1);
      left += 1;
    }
    const start = hits[left]?.start ?? hit.start;
    if (
      distinct > best.distinct ||
      (distinct === best.distinct && hit.end - start < best.end - best.start)
    ) {
      best = { distinct, start, end: hit.end };
    }
  });
  return best;
}

/**
 * About 160 characters of `text` around the place where the query's terms
 * match as words (a word that begins with a term, compared case-, accent- and
 * compatibility-insensitively, as the full-text index does), preferring the
 * place where most distinct terms match close together; the start of the
 * text when no word matches. Cut at word boundaries, with an ellipsis where
 * text was left out.
 */
export function snippetAround(
  text: string,
  terms: readonly string[],
  /** The most characters of `text` read for the snippet (see snippetScanWindow). */
  scanChars = Number.POSITIVE_INFINITY,
): string {
  const window = snippetScanWindow(text, terms, scanChars);
  const snippet = snippetOf(text.slice(window.from, window.to), terms);
  const before = window.from > 0 && !snippet.startsWith('…') ? '…' : '';
  const after = window.to < text.length && !snippet.endsWith('…') ? '…' : '';
  return `${before}${snippet}${after}`;
}

/**
 * Characters of matching documents' texts one search reads for its snippets
 * at the most, shared by its hits (each reads at least SNIPPET_SCAN_FLOOR).
 * Found in an exploratory test: eight documents of 2,000,000 characters
 * took a second of the event loop to cut snippets from, per search, and
 * four searches at once kept every other request waiting for ten seconds.
 */
const SNIPPET_SCAN_PER_SEARCH = 1_000_000;
const SNIPPET_SCAN_FLOOR = 20_000;

/** How much of each hit's text a search of `hits` hits reads for its snippet. */
export function snippetScanChars(hits: number): number {
  return Math.max(SNIPPET_SCAN_FLOOR, Math.floor(SNIPPET_SCAN_PER_SEARCH / Math.max(1, hits)));
}

/**
 * Where each ASCII term of the query first stands in `text` (the text's case
 * aside), as the search matches it: at the start of a word, or as a whole
 * word (matchesAsPrefix). A regular expression finds it far faster than the
 * text's words are read.
 */
function firstPlacesOfTerms(text: string, terms: readonly string[]): number[] {
  const folded = [...new Set(terms.flatMap(termsOf))];
  return folded.flatMap((term, index) => {
    if (!ASCII_WORD.test(term)) return [];
    const end = matchesAsPrefix(index, folded) ? '' : '(?![A-Za-z0-9])';
    const found = new RegExp(`(?<![A-Za-z0-9])${term}${end}`, 'i').exec(text);
    return found ? [found.index] : [];
  });
}

/**
 * The part of a text longer than `scanChars` that its snippet is cut from:
 * centred where the last of the query's ASCII terms first appears, so that
 * every one of them has been seen by then (a common word's first place, "the"
 * or "alpha", would put it before the match: review), else from the start. A
 * match outside the window (a term only in another script, late in a long
 * text) is not shown: the snippet is then the window's start.
 */
function snippetScanWindow(
  text: string,
  terms: readonly string[],
  scanChars: number,
): { from: number; to: number } {
  if (text.length <= scanChars) return { from: 0, to: text.length };
  const places = firstPlacesOfTerms(text, terms);
  const anchor = places.length === 0 ? 0 : Math.max(...places);
  let from = Math.max(0, Math.min(anchor - Math.floor(scanChars / 2), text.length - scanChars));
  let to = Math.min(text.length, from + scanChars);
  if (splitsSurrogatePair(text, from)) from += 1;
  if (splitsSurrogatePair(text, to)) to -= 1;
  return { from, to };
}

function snippetOf(text: string, terms: readonly string[]): string {
  // Only what is not already a single space is replaced: replacing every
  // space took half a second on a 2 MB text.
  const flat = text.replace(/\s\s+|[^\S ]/g, ' ').trim();
  // The query's terms as the index stores them, whichever store found the text.
  const folded = [...new Set(terms.flatMap(termsOf))].slice(0, MAX_MASKED_TERMS);
  const hits = folded.length > 0 ? termHits(flat, folded) : [];
  const cluster = hits.length > 0 ? bestCluster(hits, folded.length) : { start: 0, end: 0 };
  const centre = Math.floor((cluster.start + cluster.end) / 2);
  let start = Math.max(0, centre - SNIPPET_RADIUS);
  let end = Math.min(flat.length, centre + SNIPPET_RADIUS);
  if (start > 0) {
    const space = flat.indexOf(' ', start);
    // Not past the first match, unless that began before the window.
    const limit = cluster.start >= start ? cluster.start : centre;
    if (space !== -1 && space < limit) start = space + 1;
  }
  if (end < flat.length) {
    const space = flat.lastIndexOf(' ', end);
    const limit = cluster.end <= end ? cluster.end : centre;
    if (space >= limit && space > centre) end = space;
  }
  // Never between the halves of a surrogate pair: with no space near, an
  // emoji's half was cut off, which is no valid Unicode (exploratory test).
  if (splitsSurrogatePair(flat, start)) start += 1;
  if (splitsSurrogatePair(flat, end)) end -= 1;
  return `${start > 0 ? '…' : ''}${flat.slice(start, end)}${end < flat.length ? '…' : ''}`;
}
