// Removes Chroma's native server bindings (chromadb-js-bindings-*) from a
// staged package-lock.json before `npm ci`. The services use chromadb's HTTP
// client only; the bindings (over 400 MB for linux-x64) back the `chromadb run`
// CLI that starts a local Chroma server, which no image runs. Dropping them
// from the lock, rather than deleting them after install, keeps the image
// small and the install fast while `npm ci` still verifies everything else.
import { readFileSync, writeFileSync } from 'node:fs';

const [lockPath] = process.argv.slice(2);
if (!lockPath) {
  console.error('usage: node drop-chroma-server-bindings.mjs <package-lock.json>');
  process.exit(2);
}

const BINDINGS = /^chromadb-js-bindings-/;
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
let dropped = 0;
for (const [path, entry] of Object.entries(lock.packages ?? {})) {
  const name = path.split('node_modules/').pop() ?? '';
  if (BINDINGS.test(name)) {
    delete lock.packages[path];
    dropped += 1;
    continue;
  }
  for (const dependency of Object.keys(entry.optionalDependencies ?? {})) {
    if (BINDINGS.test(dependency)) delete entry.optionalDependencies[dependency];
  }
}
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`${lockPath}: dropped ${dropped} Chroma server binding package(s)`);
