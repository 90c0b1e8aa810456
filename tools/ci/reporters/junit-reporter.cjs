'use strict';
// Jest reporter the verify and integration steps add: one JUnit XML file per
// jest project in reports/junit/, which Jenkins' `junit` step and other CI
// test views read. CI_JUNIT_PREFIX keeps the integration run from overwriting
// the same project's unit-test report.
const { mkdirSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');

// Matching control characters is the point of both patterns.
// eslint-disable-next-line no-control-regex
const ANSI_ESCAPES = /\u001b\[[0-9;]*m/g;
// Characters XML 1.0 cannot carry at all, even escaped.
// eslint-disable-next-line no-control-regex
const NON_XML_CHARACTERS = /[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd]/gu;

function xml(text) {
  return String(text)
    .replace(ANSI_ESCAPES, '')
    .replace(NON_XML_CHARACTERS, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function seconds(milliseconds) {
  return ((milliseconds ?? 0) / 1000).toFixed(3);
}

function testCase(className, test) {
  const open = `    <testcase classname="${xml(className)}" name="${xml(test.title)}" time="${seconds(test.duration)}"`;
  if (test.status === 'failed') {
    const details = test.failureMessages.join('\n');
    const message = details.split('\n')[0] ?? 'failed';
    return `${open}>\n      <failure message="${xml(message)}">${xml(details)}</failure>\n    </testcase>`;
  }
  if (test.status === 'passed') return `${open}/>`;
  return `${open}>\n      <skipped/>\n    </testcase>`;
}

function testSuite(rootDir, file) {
  const name = relative(rootDir, file.testFilePath);
  const duration = file.perfStats ? file.perfStats.end - file.perfStats.start : 0;
  const cases = file.testResults.map((test) =>
    testCase([name, ...test.ancestorTitles].join(' › '), test),
  );
  let failures = file.numFailingTests;
  if (file.testExecError) {
    // The file never ran (syntax error, failing beforeAll import): report it as one failed case.
    failures += 1;
    const message = file.testExecError.message ?? 'test suite failed to run';
    cases.push(
      `    <testcase classname="${xml(name)}" name="test suite failed to run" time="0">\n` +
        `      <failure message="${xml(message.split('\n')[0])}">${xml(file.failureMessage ?? message)}</failure>\n` +
        '    </testcase>',
    );
  }
  const skipped = file.numPendingTests + file.numTodoTests;
  return (
    `  <testsuite name="${xml(name)}" tests="${cases.length}" failures="${failures}" ` +
    `skipped="${skipped}" time="${seconds(duration)}">\n${cases.join('\n')}\n  </testsuite>`
  );
}

class JunitReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(contexts, results) {
    const [context] = contexts ?? [];
    const displayName = context?.config?.displayName;
    const project =
      (typeof displayName === 'string' ? displayName : displayName?.name) ??
      this.rootDir.split('/').slice(-2).join('-');
    const workspaceRoot = join(__dirname, '..', '..', '..');
    const suites = results.testResults.map((file) => testSuite(workspaceRoot, file));
    const failures = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    const report =
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      `<testsuites name="${xml(project)}" tests="${results.numTotalTests}" failures="${failures}" ` +
      `skipped="${skipped}">\n${suites.join('\n')}\n</testsuites>\n`;
    const dir = join(workspaceRoot, 'reports', 'junit');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${process.env.CI_JUNIT_PREFIX ?? ''}${project}.xml`), report);
  }
}

module.exports = JunitReporter;
