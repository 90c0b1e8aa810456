/**
 * Arabic harakat and Hebrew points: vowel and reading marks that writing
 * mostly leaves out and nearly every query does ("الطالب" for "الطالبُ",
 * "שלום" for "שָׁלוֹם"), so terms are matched without them. An explicit
 * list rather than a Unicode property: `\p{scx=Hebrew}` also holds the
 * combining dot above and diaeresis that Latin and Syriac words need, and a
 * property's members change with the Unicode version Node ships, which would
 * change terms under an unchanged index. The gateway's tokenizer and the
 * backend's embedded full-text index drop these marks, and Chroma's lexical
 * prefilter lets them stand between letters (one list for all, so every
 * store finds the same words).
 */
const OPTIONAL_VOWEL_MARK_RANGES: readonly (readonly [number, number])[] = [
  // Arabic: Quranic annotation signs, harakat to sukun and their extensions,
  // superscript alef, small high and low Quranic marks.
  [0x0610, 0x061a],
  [0x064b, 0x065f],
  [0x0670, 0x0670],
  [0x06d6, 0x06dc],
  [0x06df, 0x06e4],
  [0x06e7, 0x06e8],
  [0x06ea, 0x06ed],
  [0x0897, 0x089f],
  [0x08ca, 0x08e1],
  [0x08e3, 0x08ff],
  // Hebrew: cantillation marks and points (not maqaf, paseq or sof pasuq,
  // which are punctuation), and the Judeo-Spanish varika.
  [0x0591, 0x05bd],
  [0x05bf, 0x05bf],
  [0x05c1, 0x05c2],
  [0x05c4, 0x05c5],
  [0x05c7, 0x05c7],
  [0xfb1e, 0xfb1e],
];

const hex = (codePoint: number) => codePoint.toString(16).padStart(4, '0');

/** A JavaScript character class of the marks, for `u`-flag regexes. */
export const OPTIONAL_VOWEL_MARK_CLASS = `[${OPTIONAL_VOWEL_MARK_RANGES.map(([from, to]) =>
  from === to ? `\\u{${hex(from)}}` : `\\u{${hex(from)}}-\\u{${hex(to)}}`,
).join('')}]`;

/** The same class in the syntax of Chroma's (Rust) regex engine. */
export const CHROMA_OPTIONAL_VOWEL_MARK_CLASS = `[${OPTIONAL_VOWEL_MARK_RANGES.map(([from, to]) =>
  from === to ? `\\x{${hex(from)}}` : `\\x{${hex(from)}}-\\x{${hex(to)}}`,
).join('')}]`;

/** Letters (and the tatweel) the marks are written on. */
export const TAKES_OPTIONAL_VOWEL_MARKS = /[\p{Script=Arabic}\p{Script=Hebrew}\u0640]/u;
