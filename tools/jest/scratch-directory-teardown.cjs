// Removes the run's scratch directory made by scratch-directory-setup.cjs.
const { rmSync } = require('node:fs');

module.exports = async function removeScratchDirectory() {
  const scratch = process.env.DOCUTHINKER_JEST_SCRATCH;
  if (!scratch) return;
  // maxRetries: a server a suite stopped may still be closing files in it.
  rmSync(scratch, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
};
