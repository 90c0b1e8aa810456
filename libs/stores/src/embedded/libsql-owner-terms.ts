import { createHash } from 'node:crypto';
import type { EmbeddedDatabase } from './libsql-database';
import { prepared } from './libsql-statements';
import { forEachTerm } from '../documents/search-words';

const OWNER_TAG_HEX_DIGITS = 16;

/**
 * A fixed-length letters-and-digits tag for an owner. Every word of the
 * owner's documents enters the full-text index as `<tag><word>`, so each
 * owner has a vocabulary of their own: a prefix query `"<tag><term>"*`
 * expands over the owner's words only, and bm25 counts the owner's documents
 * only, whatever other accounts hold. A hash keeps the tag one token whatever
 * the id looks like; a collision costs only speed, because searches still
 * check `owner_id` exactly.
 */
export function ownerTag(ownerId: string): string {
  return createHash('sha256').update(ownerId).digest('hex').slice(0, OWNER_TAG_HEX_DIGITS);
}

/**
 * How much of a text the full-text index takes, once normalised. Documents
 * hold at most 2,000,000 characters, but NFKC may write one as eighteen
 * (U+FDFA): found in review, 6 MB of it became 131 M characters of terms,
 * built on the event loop for 4.4 s per upload or rename, and 1.8 GB.
 */
export const MAX_INDEXED_CHARS = 2_000_000;
/** Characters normalised at a time, so normalising stops soon after the cap. */
const NORMALISED_PIECE_CHARS = 64 * 1024;
const COMBINING_OR_TRAILING = /[\p{M}\uDC00-\uDFFF]/u;

/**
 * The first MAX_INDEXED_CHARS of `text` in NFKC. Pieces end before a
 * starter, so no combining sequence is normalised in two halves.
 */
function normalisedPrefix(text: string): string {
  let normalised = '';
  let start = 0;
  while (start < text.length && normalised.length < MAX_INDEXED_CHARS) {
    let end = Math.min(text.length, start + NORMALISED_PIECE_CHARS);
    while (end < text.length && COMBINING_OR_TRAILING.test(text.charAt(end))) end += 1;
    normalised += text.slice(start, end).normalize('NFKC');
    start = end;
  }
  return normalised.slice(0, MAX_INDEXED_CHARS);
}

/**
 * The terms of `text` as the index stores them (search-words.ts: words with
 * their marks, folded, and pairs of letters of unspaced scripts), each
 * prefixed by the owner's tag; those of its first MAX_INDEXED_CHARS
 * normalised characters.
 */
export function ownerTerms(tag: string, text: string): string {
  const terms: string[] = [];
  forEachTerm(normalisedPrefix(text).toLowerCase(), (term) => terms.push(tag + term));
  return terms.join(' ');
}

/** Indexes one document's title and text under its `documents.seq`. */
export function indexDocumentTerms(
  db: EmbeddedDatabase,
  seq: number | bigint,
  ownerId: string,
  title: string,
  text: string,
): void {
  const tag = ownerTag(ownerId);
  prepared(db, 'INSERT INTO document_terms (rowid, title, text) VALUES (?, ?, ?)').run(
    seq,
    ownerTerms(tag, title),
    ownerTerms(tag, text),
  );
}
