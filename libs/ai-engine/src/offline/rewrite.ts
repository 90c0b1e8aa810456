import { TaskUnsupportedError } from '../errors';
import { capableProvidersFor } from './generative-providers';
import { splitSentences, type Sentence } from '../text/sentences';
import {
  joinSentences,
  rankSentences,
  sentencesOf,
  topSentencesInOrder,
} from './sentence-selection';
import { collapseWhitespace } from '../text/collapse-whitespace';

/** Styles the offline engine can produce by selection and reformatting alone. */
export const OFFLINE_REWRITE_STYLES = ['concise', 'plain', 'bullet-points'] as const;

/**
 * Words that make a parenthesis part of what a sentence says rather than an
 * aside: "(except as stated in this section)", "(excluding declaratory
 * judgment actions …)", "(other than patent or trademark)". Found in review:
 * dropped, a patent licence read as unconditional and a clause covered the
 * counter-claims it excludes.
 */
const QUALIFYING_WORDS =
  /\b(?:except|exclud\w*|other than|unless|not|no|nor|neither|only|includ\w*|provided that|without|subject to|limit\w*)\b/i;

/** A parenthetical aside or bracketed reference that qualifies nothing. */
function dropAside(aside: string): string {
  return QUALIFYING_WORDS.test(aside) ? aside : '';
}

function plainSentence(text: string): string {
  return (
    text
      // Asides and bracketed references are what makes legal and technical
      // prose hard to scan; those that qualify the sentence stay.
      .replace(/\s*\([^()]*\)/g, dropAside)
      .replace(/\s*\[[^\]]*\]/g, dropAside)
      // A semicolon before a new clause ends a sentence; one before a list's
      // next item ("; and", "; or", "; within …") does not.
      .replace(/;\s+(?=\p{Lu})/gu, '. ')
      .replace(/\s+([,.])/g, '$1')
  );
}

/**
 * The sentences without their asides. A sentence that is nothing but an
 * aside goes; a text that is nothing but asides is kept as it is, as an
 * empty rewrite of a non-empty text would say nothing.
 */
function plain(text: string): string {
  const sentences = splitSentences(text).map((sentence) => sentence.text);
  // Text with no sentence in it (only rules such as "-----") is its own plain form.
  if (sentences.length === 0) return collapseWhitespace(text);
  const plainer = sentences.map(plainSentence).filter((sentence) => sentence.trim().length > 0);
  return (plainer.length > 0 ? plainer : sentences).join(sentenceSeparator(text));
}

function sentenceSeparator(text: string): string {
  return /\n\s*\n/.test(text) ? '\n' : ' ';
}

/**
 * One bullet per sentence, headings left out. A text that is all short
 * lines (a list, notes, one unpunctuated line) reads to the splitter as
 * headings only; those lines are then its content and each becomes a bullet.
 */
function bullets(text: string): string {
  const sentences = sentencesOf(text);
  const body = sentences.filter((sentence) => !sentence.isHeading);
  const items: readonly Sentence[] = body.length > 0 ? body : sentences;
  return items.map((sentence) => `- ${sentence.text}`).join('\n');
}

/**
 * Rewrites without generating language: condensing to the central sentences,
 * removing asides, or one bullet per sentence. Any other style needs a
 * generative provider and is refused rather than imitated.
 */
export function rewriteOffline(text: string, style: string): string {
  const normalised = style
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');
  switch (normalised) {
    case 'concise':
    case 'shorter': {
      const ranked = rankSentences(text);
      return joinSentences(
        topSentencesInOrder(ranked, Math.max(1, Math.ceil(ranked.length * 0.4))).map(
          ({ sentence }) => sentence.text,
        ),
      );
    }
    case 'plain':
    case 'simple':
      return plain(text);
    case 'bullet-points':
    case 'bullets':
      return bullets(text);
    default:
      throw new TaskUnsupportedError(
        'rewrite',
        `the offline engine cannot rewrite in the style "${style}"; it offers ${OFFLINE_REWRITE_STYLES.join(', ')}`,
        capableProvidersFor('rewrite'),
      );
  }
}
