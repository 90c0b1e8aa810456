// Gives one jest run a scratch directory of its own: the workers (forked after
// this runs) and the servers they start inherit TMPDIR, so every temporary
// directory of the run, including those a library makes without telling
// (aws-cdk-lib's `cdk.out*` for each App without an outdir), lands inside it,
// and scratch-directory-teardown.cjs removes it whole. Without it a developer's
// /tmp grew by thousands of directories over many runs and filled the disk.
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = async function createScratchDirectory() {
  // `--watch` runs setup and teardown again for every run in one process:
  // each scratch directory is made where the first run would have made it,
  // never inside an earlier one (removed, or left by an interrupted run).
  if (process.env.DOCUTHINKER_JEST_TMPDIR_BEFORE === undefined) {
    process.env.DOCUTHINKER_JEST_TMPDIR_BEFORE = process.env.TMPDIR ?? '';
  }
  const scratch = mkdtempSync(
    join(process.env.DOCUTHINKER_JEST_TMPDIR_BEFORE || tmpdir(), 'docuthinker-jest-'),
  );
  process.env.DOCUTHINKER_JEST_SCRATCH = scratch;
  process.env.TMPDIR = scratch;
};
