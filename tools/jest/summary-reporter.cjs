'use strict';
// Writes each jest project's totals to reports/jest/<project>.json so that
// .ci/run can print one closing "N passed, N failed, N skipped" line for the
// whole workspace (nx runs one jest process per project).
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(contexts, results) {
    const dir = join(__dirname, '..', '..', 'reports', 'jest');
    mkdirSync(dir, { recursive: true });
    const [context] = contexts ?? [];
    const displayName = context?.config?.displayName;
    const project =
      (typeof displayName === 'string' ? displayName : displayName?.name) ??
      this.rootDir.split('/').slice(-2).join('-');
    writeFileSync(
      join(dir, `${project}.json`),
      JSON.stringify({
        project,
        passed: results.numPassedTests,
        failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
        skipped: results.numPendingTests + results.numTodoTests,
      }),
    );
  }
}

module.exports = SummaryReporter;
