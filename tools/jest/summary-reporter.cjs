'use strict';
// Writes each jest project's totals to reports/jest/<project>.json so that
// .ci/run can print one closing "N passed, N failed, N skipped" line for the
// whole workspace (nx runs one jest process per project). Failed tests are
// named too: CI keeps only the tail of its output, and the closing summary is
// where a failure has to be identifiable.
const { mkdirSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');
const { stripVTControlCharacters } = require('node:util');

const MAX_FAILURE_MESSAGE_CHARS = 600;

// DT_JEST_REPORT_DIR lets the reporter's own test write somewhere other than the run's reports.
function reportDirectory() {
  return process.env.DT_JEST_REPORT_DIR ?? join(__dirname, '..', '..', 'reports', 'jest');
}

function firstLines(message) {
  // Jest's messages carry ANSI colours and a long stack; the head says what broke.
  const plain = stripVTControlCharacters(String(message));
  return plain.length > MAX_FAILURE_MESSAGE_CHARS
    ? `${plain.slice(0, MAX_FAILURE_MESSAGE_CHARS)}…`
    : plain;
}

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(contexts, results) {
    const dir = reportDirectory();
    mkdirSync(dir, { recursive: true });
    const [context] = contexts ?? [];
    const displayName = context?.config?.displayName;
    const project =
      (typeof displayName === 'string' ? displayName : displayName?.name) ??
      this.rootDir.split('/').slice(-2).join('-');
    // nx starts jest in the workspace root, so paths read as in the repository.
    const workspaceRoot = process.cwd();
    const failures = [];
    for (const suite of results.testResults ?? []) {
      const file = relative(workspaceRoot, suite.testFilePath);
      if (suite.testExecError || (suite.failureMessage && suite.numFailingTests === 0)) {
        failures.push({
          test: `${file} (suite did not run)`,
          message: firstLines(suite.failureMessage ?? suite.testExecError?.message),
        });
      }
      for (const test of suite.testResults ?? []) {
        if (test.status !== 'failed') continue;
        failures.push({
          test: `${file} › ${test.fullName}`,
          message: firstLines(test.failureMessages.join('\n')),
        });
      }
    }
    writeFileSync(
      join(dir, `${project}.json`),
      JSON.stringify({
        project,
        passed: results.numPassedTests,
        failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
        skipped: results.numPendingTests + results.numTodoTests,
        failures,
      }),
    );
  }
}

module.exports = SummaryReporter;
