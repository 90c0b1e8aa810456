import { clipText } from '@docuthinker/contracts';

const MAX_SUMMARY_CHARS = 400;

/**
 * How much of the text is read: the summary needs its opening only. Uploads
 * reach 25 MB and this runs on the event loop, which every request shares.
 */
const OPENING_CHARS = 16 * MAX_SUMMARY_CHARS;

/** The end of a sentence: its closing marks, then a space or the end of the text. */
const SENTENCE_END = /[.!?]+(?= |$)/g;

/**
 * The summary an upload gets before the AI summary is ready (or while the
 * gateway is down): the document's opening sentences, cut at a word. Linear
 * in a bounded prefix of the text: a sentence pattern matched from every
 * position took 7 s on 108 KB of text with no full stop.
 */
export function extractiveSummary(text: string): string {
  const flat = text.trimStart().slice(0, OPENING_CHARS).replace(/\s+/g, ' ').trim();
  if (flat.length <= MAX_SUMMARY_CHARS) return flat;
  let end = 0;
  SENTENCE_END.lastIndex = 0;
  for (let found = SENTENCE_END.exec(flat); found; found = SENTENCE_END.exec(flat)) {
    const sentenceEnd = found.index + found[0].length;
    if (sentenceEnd > MAX_SUMMARY_CHARS) break;
    end = sentenceEnd;
  }
  if (end > 0) return flat.slice(0, end);
  // No sentence end within reach: cut at the last space, unless that keeps
  // less than half (text mostly without spaces: Chinese, Japanese, one long
  // token after a heading), then at the limit, never between the halves of a
  // surrogate pair.
  const cut = clipText(flat, MAX_SUMMARY_CHARS);
  const lastSpace = cut.lastIndexOf(' ');
  return `${lastSpace > MAX_SUMMARY_CHARS / 2 ? cut.slice(0, lastSpace) : cut}…`;
}
