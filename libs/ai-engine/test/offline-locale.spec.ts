import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compareCodeUnits } from '../src/text/code-unit-order';
import { runOfflineTask } from '../src/offline/offline-engine';
import type { TaskOutputs } from '../src/tasks/task-types';

const WORKSPACE = resolve(__dirname, '..', '..', '..');
const SOURCE = resolve(__dirname, '..', 'src');

// Ties that collations break differently: Swedish sorts "ä" after "z",
// Danish sorts capitals before small letters.
const PHRASE_TIE = 'The zebra runs. The äpple falls.';
const SPELLING_TIE = 'We met Acme Corp in May. Later we met ACME Corp again.';

interface LocaleRun {
  readonly collation: string[];
  readonly phrases: TaskOutputs['topics'];
  readonly spellings: TaskOutputs['topics'];
}

const CHILD_SCRIPT = `
const { runOfflineTask } = require('./libs/ai-engine/src/offline/offline-engine.ts');
const topics = (text) => runOfflineTask('topics', { text, options: { maxItems: 1 } }).output;
process.stdout.write(JSON.stringify({
  collation: ['zebra', 'äpple', 'ACME', 'Acme'].sort((a, b) => a.localeCompare(b)),
  phrases: topics(${JSON.stringify(PHRASE_TIE)}),
  spellings: topics(${JSON.stringify(SPELLING_TIE)}),
}));
`;

/** The engine's answers in a fresh Node process whose locale is `locale`. */
function runUnderLocale(locale: string): LocaleRun {
  const child = spawnSync(process.execPath, ['-r', '@swc-node/register', '-e', CHILD_SCRIPT], {
    cwd: WORKSPACE,
    env: {
      ...process.env,
      LC_ALL: locale,
      LANG: locale,
      SWC_NODE_PROJECT: join(WORKSPACE, 'tsconfig.base.json'),
    },
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (child.status !== 0) throw new Error(`node under ${locale} failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as LocaleRun;
}

const topics = (text: string) =>
  runOfflineTask('topics', { text, options: { maxItems: 1 } }).output;

describe('offline output and the process locale', () => {
  it('breaks ties the same way under any LC_ALL', () => {
    const runs = ['en_US.UTF-8', 'sv_SE.UTF-8', 'da_DK.UTF-8'].map(runUnderLocale);
    // The three locales do collate these words differently, or equal output would prove nothing.
    expect(new Set(runs.map((run) => run.collation.join(','))).size).toBe(3);
    for (const run of runs) {
      expect(run.phrases).toEqual(topics(PHRASE_TIE));
      expect(run.spellings).toEqual(topics(SPELLING_TIE));
    }
  });

  it('orders ties by code unit', () => {
    expect(topics(PHRASE_TIE).keyPhrases.map(({ phrase }) => phrase)).toEqual(['zebra runs']);
    expect(topics(SPELLING_TIE).entities.map(({ name }) => name)).toEqual(['ACME Corp']);
    expect(['äpple', 'zebra', 'Acme', 'ACME'].sort(compareCodeUnits)).toEqual([
      'ACME',
      'Acme',
      'zebra',
      'äpple',
    ]);
  });

  it('has no locale-dependent comparison in the engine’s output paths', () => {
    for (const folder of ['offline', 'text', 'graph', 'retrieval']) {
      for (const file of readdirSync(join(SOURCE, folder))) {
        const source = readFileSync(join(SOURCE, folder, file), 'utf8');
        expect({ file, localeCompare: /\.localeCompare\(|Intl\.Collator/.test(source) }).toEqual({
          file,
          localeCompare: false,
        });
      }
    }
  });
});
