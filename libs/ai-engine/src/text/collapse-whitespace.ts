/** Runs of whitespace (line breaks included) as one space, none at either end. */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
