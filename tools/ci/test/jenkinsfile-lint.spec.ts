import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { announceSkipped, commandWorks } from './support/announce-skipped';
import { scratchDir } from './support/run-step';
import { WORKSPACE_ROOT } from './support/workspace-files';

type GroovyLintReport = {
  files: Record<string, { errors: { line: number; rule: string; msg: string }[] }>;
};

const javaAvailable = commandWorks('java', ['-version']);
if (!javaAvailable) announceSkipped('npm-groovy-lint over the Jenkinsfile', 'no java for CodeNarc');

(javaAvailable ? describe : describe.skip)('Jenkinsfile', () => {
  let dir: string;
  let findings: Map<string, string[]>;

  // CodeNarc starts a JVM and parses Groovy: about a minute on a loaded
  // two-core machine, so the real file and a broken one share one run.
  beforeAll(() => {
    dir = scratchDir('groovy-lint');
    mkdirSync(join(dir, 'real'));
    mkdirSync(join(dir, 'broken'));
    copyFileSync(join(WORKSPACE_ROOT, 'Jenkinsfile'), join(dir, 'real', 'Jenkinsfile'));
    writeFileSync(
      join(dir, 'broken', 'Jenkinsfile'),
      "pipeline {\n    agent any\n    stages {\n        stage('x') {\n            steps {\n" +
        `                sh '${'x'.repeat(130)}'\n            }\n        }\n    }\n}\n`,
    );
    const run = spawnSync(
      process.execPath,
      [
        join(WORKSPACE_ROOT, 'node_modules/npm-groovy-lint/lib/index.js'),
        '--noserver',
        '--no-insight',
        '--config',
        join(WORKSPACE_ROOT, 'tools/ci/groovylint-jenkinsfile.json'),
        '--output',
        'json',
        'real/Jenkinsfile',
        'broken/Jenkinsfile',
      ],
      { cwd: dir, encoding: 'utf8', timeout: 280_000 },
    );
    const report = JSON.parse(run.stdout.slice(run.stdout.indexOf('{'))) as GroovyLintReport;
    findings = new Map(
      Object.entries(report.files).map(([file, { errors }]) => [
        file.includes('broken') ? 'broken' : 'real',
        errors.map((error) => `${error.line} ${error.rule}: ${error.msg}`),
      ]),
    );
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes npm-groovy-lint with no finding at all', () => {
    expect(findings.get('real')).toEqual([]);
  });

  it('npm-groovy-lint is live: it reports an over-long line', () => {
    expect(findings.get('broken')?.join('\n')).toContain('LineLength');
  });
});
