import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The shared corpus lives beside the repository (../shared/corpus from the
 * workspace root); DOCUTHINKER_CORPUS_DIR points elsewhere when it does not.
 */
export const CORPUS_DIR =
  process.env['DOCUTHINKER_CORPUS_DIR'] ??
  join(__dirname, '..', '..', '..', '..', '..', 'shared', 'corpus');

export function corpusText(name: 'apache-2.0' | 'mpl-2.0' | 'bsd'): string {
  return readFileSync(join(CORPUS_DIR, `${name}.txt`), 'utf8');
}
