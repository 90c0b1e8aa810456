'use strict';
// Adds up reports/jest/*.json (see summary-reporter.cjs) into one closing line.
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.DT_JEST_REPORT_DIR ?? join(__dirname, '..', '..', 'reports', 'jest');
const totals = { passed: 0, failed: 0, skipped: 0 };
const files = existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.json')) : [];
const failures = [];
for (const file of files) {
  const report = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  for (const key of Object.keys(totals)) totals[key] += report[key];
  failures.push(...(report.failures ?? []));
  console.log(
    `  ${report.project.padEnd(24)} ${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped`,
  );
}
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
// Named last, after the totals: CI keeps only the tail of a long log.
for (const failure of failures) {
  console.log(`FAILED ${failure.test}`);
  if (failure.message) console.log(failure.message.replace(/^/gm, '    '));
}
process.exit(files.length === 0 || totals.passed === 0 ? 1 : 0);
