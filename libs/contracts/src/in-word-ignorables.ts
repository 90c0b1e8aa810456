/**
 * Invisible characters that join or hint inside a word: the soft hyphen (a
 * DOCX optional hyphen, a PDF's hyphenation point), zero-width non-joiner and
 * joiner, word joiner, and the zero-width no-break space. None is a letter,
 * so a word written with one fell apart into fragments no query found
 * ("con\u00ADfi\u00ADden\u00ADtial", "Mül\u200Dler" became "Mül"): the
 * gateway's terms and names and the backend's embedded full-text index read
 * the word without them. The zero-width space is not one of them: it marks
 * where a word may break, as a space does.
 * (An alternation, not a class: a class holding U+200D reads as one joined
 * character to linters and readers.)
 */
export const IN_WORD_IGNORABLE_ALTERNATION = '\\u00AD|\\u200C|\\u200D|\\u2060|\\uFEFF';

export const IN_WORD_IGNORABLES = new RegExp(IN_WORD_IGNORABLE_ALTERNATION, 'gu');

/** The text without IN_WORD_IGNORABLES. */
export function withoutInWordIgnorables(text: string): string {
  return text.replace(IN_WORD_IGNORABLES, '');
}
