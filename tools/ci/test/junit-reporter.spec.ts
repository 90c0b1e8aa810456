import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { WORKSPACE_ROOT } from './support/workspace-files';

// The reporter is CommonJS, loaded by path as the verify step passes it to jest.
const JunitReporter = require('../reporters/junit-reporter.cjs') as new (config: {
  rootDir: string;
}) => { onRunComplete(contexts: unknown[], results: unknown): void };

const PROJECT = 'junit-reporter-under-test';
const REPORT = join(WORKSPACE_ROOT, 'reports', 'junit', `${PROJECT}.xml`);

function test(title: string, status: string, failureMessages: string[] = []) {
  return { title, status, duration: 12, ancestorTitles: ['deploy', 'rollback'], failureMessages };
}

function writeReport(): void {
  new JunitReporter({ rootDir: join(WORKSPACE_ROOT, 'tools') }).onRunComplete(
    [{ config: { displayName: { name: PROJECT } } }],
    {
      numTotalTests: 4,
      numFailedTests: 1,
      numRuntimeErrorTestSuites: 1,
      numPendingTests: 1,
      numTodoTests: 0,
      testResults: [
        {
          testFilePath: join(WORKSPACE_ROOT, 'tools/ci/test/deploy.spec.ts'),
          perfStats: { start: 1000, end: 3500 },
          numFailingTests: 1,
          numPendingTests: 1,
          numTodoTests: 0,
          testResults: [
            test('records the tag', 'passed'),
            test('restores <the> "tag" & waits', 'failed', [
              '\u001b[31mExpected\u001b[39m prev111\nReceived new2222',
            ]),
            test('is skipped', 'pending'),
          ],
        },
        {
          testFilePath: join(WORKSPACE_ROOT, 'tools/ci/test/broken.spec.ts'),
          numFailingTests: 0,
          numPendingTests: 0,
          numTodoTests: 0,
          testExecError: { message: 'Cannot find module x' },
          failureMessage: 'Cannot find module x\n  at require',
          testResults: [],
        },
      ],
    },
  );
}

function report(): string {
  writeReport();
  return readFileSync(REPORT, 'utf8');
}

describe('JUnit reporter', () => {
  afterEach(() => rmSync(REPORT, { force: true }));

  it('writes one suite per spec file with passed, failed and skipped cases', () => {
    const xml = report();
    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="junit-reporter-under-test" tests="4" failures="2" skipped="1">/,
    );
    expect(xml).toContain(
      '<testsuite name="tools/ci/test/deploy.spec.ts" tests="3" failures="1" skipped="1" time="2.500">',
    );
    expect(xml).toContain(
      '<testcase classname="tools/ci/test/deploy.spec.ts › deploy › rollback" name="records the tag" time="0.012"/>',
    );
    expect(xml).toContain('name="is skipped" time="0.012">\n      <skipped/>');
  });

  it('escapes XML and strips terminal colours from failure messages', () => {
    const xml = report();
    expect(xml).toContain('name="restores &lt;the&gt; &quot;tag&quot; &amp; waits"');
    expect(xml).toContain(
      '<failure message="Expected prev111">Expected prev111\nReceived new2222</failure>',
    );
    expect(xml).not.toContain('\u001b');
  });

  it('reports a spec file that failed to run as a failed case', () => {
    expect(report()).toContain(
      '<testsuite name="tools/ci/test/broken.spec.ts" tests="1" failures="1" skipped="0" time="0.000">\n' +
        '    <testcase classname="tools/ci/test/broken.spec.ts" name="test suite failed to run" time="0">\n' +
        '      <failure message="Cannot find module x">Cannot find module x\n  at require</failure>',
    );
  });

  it('prefixes the file name with CI_JUNIT_PREFIX, so integration runs keep their own report', () => {
    process.env.CI_JUNIT_PREFIX = 'integration-';
    try {
      writeReport();
    } finally {
      delete process.env.CI_JUNIT_PREFIX;
    }
    expect(existsSync(REPORT)).toBe(false);
    const prefixed = join(WORKSPACE_ROOT, 'reports', 'junit', `integration-${PROJECT}.xml`);
    expect(existsSync(prefixed)).toBe(true);
    rmSync(prefixed, { force: true });
  });
});
