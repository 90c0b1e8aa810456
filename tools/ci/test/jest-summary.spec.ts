import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { WORKSPACE_ROOT } from './support/workspace-files';

// CI keeps only the tail of .ci/run's output, so the closing summary must name
// what failed. This runs real jest over a tiny project with one failing test.
describe('jest summary for .ci/run', () => {
  let dir: string;
  let reports: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dt-jest-summary-'));
    reports = join(dir, 'reports');
    writeFileSync(
      join(dir, 'sample.spec.js'),
      [
        "describe('sample', () => {",
        "  it('passes', () => expect(1).toBe(1));",
        "  it('compares two numbers', () => expect(41 + 1).toBe(43));",
        "  it.skip('waits', () => undefined);",
        '});',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'broken.spec.js'), "require('./missing-module');\n");
    const reporter = join(WORKSPACE_ROOT, 'tools/jest/summary-reporter.cjs');
    writeFileSync(
      join(dir, 'jest.config.js'),
      `module.exports = { displayName: 'sample', reporters: [${JSON.stringify(reporter)}] };\n`,
    );
    const jest = spawnSync(
      process.execPath,
      [
        join(WORKSPACE_ROOT, 'node_modules/jest/bin/jest.js'),
        '--config',
        join(dir, 'jest.config.js'),
      ],
      { cwd: dir, env: { ...process.env, DT_JEST_REPORT_DIR: reports }, encoding: 'utf8' },
    );
    expect(jest.status).toBe(1);
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('counts the project and keeps each failure with its message', () => {
    const report = JSON.parse(readFileSync(join(reports, 'sample.json'), 'utf8'));
    expect(report).toMatchObject({ project: 'sample', passed: 1, failed: 2, skipped: 1 });
    expect(report.failures).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          test: expect.stringMatching(/^sample\.spec\.js › sample compares two numbers$/),
        }),
        expect.objectContaining({ test: 'broken.spec.js (suite did not run)' }),
      ]),
    );
  });

  it('prints the failures after the totals, without colour codes', () => {
    const summary = spawnSync(
      process.execPath,
      [join(WORKSPACE_ROOT, 'tools/jest/print-summary.cjs')],
      {
        env: { ...process.env, DT_JEST_REPORT_DIR: reports },
        encoding: 'utf8',
      },
    );
    expect(summary.status).toBe(0);
    const lines = summary.stdout.trimEnd().split('\n');
    const totals = lines.findIndex((line) => line === '1 passed, 2 failed, 1 skipped');
    expect(totals).toBeGreaterThan(0);
    const tail = lines.slice(totals + 1).join('\n');
    expect(tail).toContain('FAILED sample.spec.js › sample compares two numbers');
    expect(tail).toMatch(/Expected: 43\s+Received: 42/);
    expect(tail).toContain('FAILED broken.spec.js (suite did not run)');
    expect(tail).toContain('missing-module');
    expect(stripVTControlCharacters(summary.stdout)).toBe(summary.stdout);
  });
});
