#!/usr/bin/env node
// `npm start`: builds both services and runs them on embedded defaults
// (backend :5000, gateway :8000). Ctrl-C stops both cleanly, a second
// Ctrl-C kills them; if one dies, the other is stopped too and the exit code
// says so (see supervise-services.mjs).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { superviseServices } from './supervise-services.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const nxEnv = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };

// --no-build runs the bundles already in dist/ (the launcher's own test uses it).
if (!process.argv.includes('--no-build')) {
  const build = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules/nx/dist/bin/nx.js'),
      'run-many',
      '-t',
      'build',
      '-p',
      'backend',
      'aiml-gateway',
      '--output-style=static',
    ],
    { cwd: root, env: nxEnv, stdio: 'inherit' },
  );
  if (build.status !== 0) process.exit(build.status ?? 1);
}

// PORT is one service's setting: set in the shell, it sent both services to
// the same port. Each listens on its own default (backend 5000, gateway 8000).
// NODE_ENV too: a shell that exports NODE_ENV=production (common on servers)
// would make both services refuse the embedded defaults this command is for.
const serviceEnv = { ...process.env, NODE_ENV: 'development' };
delete serviceEnv.PORT;
process.exit(
  await superviseServices(
    [
      { name: 'backend', args: [join(root, 'dist/apps/backend/main.js')] },
      { name: 'aiml-gateway', args: [join(root, 'dist/apps/aiml-gateway/main.js')] },
    ],
    { cwd: root, env: serviceEnv },
  ),
);
