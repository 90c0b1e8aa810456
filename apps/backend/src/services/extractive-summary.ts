const MAX_SUMMARY_CHARS = 400;

/**
 * The summary an upload gets before the AI summary is ready (or while the
 * gateway is down): the document's opening sentences, cut at a word.
 */
export function extractiveSummary(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= MAX_SUMMARY_CHARS) return flat;
  const sentences = flat.match(/[^.!?]+[.!?]+(\s|$)/g) ?? [];
  let summary = '';
  for (const sentence of sentences) {
    if ((summary + sentence).length > MAX_SUMMARY_CHARS) break;
    summary += sentence;
  }
  if (summary.trim() !== '') return summary.trim();
  const cut = flat.slice(0, MAX_SUMMARY_CHARS);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), 1))}…`;
}
