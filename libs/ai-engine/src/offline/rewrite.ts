import { TaskUnsupportedError } from '../errors';
import { capableProvidersFor } from './generative-providers';
import { splitSentences } from '../text/sentences';
import { joinSentences, rankSentences, topSentencesInOrder } from './sentence-selection';

/** Styles the offline engine can produce by selection and reformatting alone. */
export const OFFLINE_REWRITE_STYLES = ['concise', 'plain', 'bullet-points'] as const;

function plain(text: string): string {
  return splitSentences(text)
    .map((sentence) =>
      sentence.text
        // Parenthetical asides and bracketed references are what makes legal
        // and technical prose hard to scan.
        .replace(/\s*\([^()]*\)/g, '')
        .replace(/\s*\[[^\]]*\]/g, '')
        .replace(/;\s+/g, '. ')
        .replace(/\s+([,.])/g, '$1'),
    )
    .join(sentenceSeparator(text));
}

function sentenceSeparator(text: string): string {
  return /\n\s*\n/.test(text) ? '\n' : ' ';
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
      return splitSentences(text)
        .filter((sentence) => !sentence.isHeading)
        .map((sentence) => `- ${sentence.text}`)
        .join('\n');
    default:
      throw new TaskUnsupportedError(
        'rewrite',
        `the offline engine cannot rewrite in the style "${style}"; it offers ${OFFLINE_REWRITE_STYLES.join(', ')}`,
        capableProvidersFor('rewrite'),
      );
  }
}
