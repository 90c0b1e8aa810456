/**
 * Sentence-sized pieces that concatenate back to exactly the reply: split
 * before the first non-space after a sentence end. The look-ahead comes
 * first so that the look-behind, which scans back over the spaces, runs only
 * where a space run ends: the other way round every space of a run scanned
 * the run again (a provider's reply with 40,000 spaces took 1.75 s).
 */
export function replyPieces(reply: string): string[] {
  return reply.split(/(?=\S)(?<=[.!?]\s+)/).filter((piece) => piece.length > 0);
}
