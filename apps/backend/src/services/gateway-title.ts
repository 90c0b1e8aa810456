import { hasVisibleText } from '@docuthinker/contracts';

/**
 * A document's title as an AI task sends it: the gateway refuses a title
 * that shows nothing, and documents stored before titles had to show
 * something can hold one of zero-width characters (their tasks were 502).
 */
export function titleIfVisible(title: string): { title?: string } {
  return hasVisibleText(title) ? { title } : {};
}
