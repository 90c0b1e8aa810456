import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

// The sample corpus lives beside the repository (../shared/corpus from the
// workspace root), in a checkout as in CI.
const WORKSPACE_ROOT = resolve(__dirname, '../../../..');
export const CORPUS_DIR = join(WORKSPACE_ROOT, '..', 'shared', 'corpus');

export function readCorpusFile(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(CORPUS_DIR, name)));
}
