// Build-time check run in the Dockerfiles' assemble stage: loads every native
// addon (*.node) under node_modules so that a prebuilt binary the base image's
// libc cannot load fails the image build instead of the first request.
'use strict';
const { readdirSync } = require('node:fs');
const { join } = require('node:path');

function* nativeAddons(directory) {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) yield* nativeAddons(path);
    else if (entry.isFile() && entry.name.endsWith('.node')) yield path;
  }
}

const root = join(process.argv[2] || process.cwd(), 'node_modules');
const failures = [];
let loaded = 0;
for (const addon of nativeAddons(root)) {
  try {
    require(addon);
    loaded += 1;
  } catch (error) {
    failures.push(`${addon}: ${error.message}`);
  }
}
if (failures.length > 0) {
  console.error(`native addons that do not load on this base image:\n${failures.join('\n')}`);
  process.exit(1);
}
console.log(`native addons: ${loaded} loaded`);
