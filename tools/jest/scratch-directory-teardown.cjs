// Removes the run's scratch directory made by scratch-directory-setup.cjs and
// gives TMPDIR back its value from before the run.
const { rmSync } = require('node:fs');

module.exports = async function removeScratchDirectory() {
  const scratch = process.env.DOCUTHINKER_JEST_SCRATCH;
  if (!scratch) return;
  const before = process.env.DOCUTHINKER_JEST_TMPDIR_BEFORE;
  if (before) process.env.TMPDIR = before;
  else delete process.env.TMPDIR;
  delete process.env.DOCUTHINKER_JEST_SCRATCH;
  // maxRetries: a server a suite stopped may still be closing files in it.
  rmSync(scratch, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
};
