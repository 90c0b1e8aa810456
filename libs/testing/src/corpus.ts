import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The sample documents every suite reads (../shared/corpus beside the repository). */
export type CorpusTextDocument = 'apache-2.0' | 'mpl-2.0' | 'bsd';

const WORKSPACE_ROOT = resolve(__dirname, '..', '..', '..');

/**
 * Where the shared corpus is: `DOCUTHINKER_CORPUS_DIR` when set (a CI runner
 * that checks the corpus out somewhere else), otherwise `../shared/corpus`
 * beside the workspace, as on the team's machines and in `.ci/run`.
 */
export const CORPUS_DIR =
  process.env['DOCUTHINKER_CORPUS_DIR'] ?? join(WORKSPACE_ROOT, '..', 'shared', 'corpus');

/** The path of one corpus file; a missing corpus fails with what to set, not ENOENT. */
export function corpusPath(name: string): string {
  const path = join(CORPUS_DIR, name);
  if (!existsSync(path)) {
    throw new Error(
      `${path} is missing: put the shared corpus beside the repository or set DOCUTHINKER_CORPUS_DIR`,
    );
  }
  return path;
}

export function corpusFile(name: string): Buffer {
  return readFileSync(corpusPath(name));
}

export function corpusText(name: CorpusTextDocument): string {
  return readFileSync(corpusPath(`${name}.txt`), 'utf8');
}
