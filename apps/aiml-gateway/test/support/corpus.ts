import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The shared corpus sits beside the repository: `../shared/corpus` from the workspace root. */
export const CORPUS_DIR = join(__dirname, '..', '..', '..', '..', '..', 'shared', 'corpus');

export type CorpusDocument = 'apache-2.0' | 'mpl-2.0' | 'bsd';

export function corpusText(name: CorpusDocument): string {
  return readFileSync(join(CORPUS_DIR, `${name}.txt`), 'utf8');
}

/** Whitespace and the asterisk borders of boxed sections collapsed, for phrase matching. */
export function normalised(text: string): string {
  return text.replace(/\*/g, ' ').replace(/\s+/g, ' ').trim().toLowerCase();
}
