/**
 * The bidirectional marks, embeddings, overrides and isolates: invisible,
 * they let "invoice<U+202E>fdp.exe" display as "invoiceexe.pdf". File names
 * and titles (which name downloads) both drop them.
 */
export const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
