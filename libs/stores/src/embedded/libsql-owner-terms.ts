import { createHash } from 'node:crypto';
import type { EmbeddedDatabase } from './libsql-database';
import { prepared } from './libsql-statements';

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
 * The words of `text` as the index stores them: split like `searchTerms`
 * (letters and digits, NFKC, lower case), each prefixed by the owner's tag.
 */
export function ownerTerms(tag: string, text: string): string {
  const words =
    text
      .normalize('NFKC')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.map((word) => tag + word).join(' ');
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
