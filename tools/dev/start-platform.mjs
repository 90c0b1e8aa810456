#!/usr/bin/env node
// `npm start`: builds both services and runs them on embedded defaults
// (backend :5000, gateway :8000; `npm start -- --backend-port N
// --gateway-port M` for others). Ctrl-C stops both cleanly, a second
// Ctrl-C kills them; if one dies, the other is stopped too and the exit code
// says so (see supervise-services.mjs).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { superviseServices } from './supervise-services.mjs';

const USAGE =
  'Usage: npm start [-- --backend-port N --gateway-port N]\n' +
  'Runs the backend (default port 5000) and the AI/ML gateway (8000) on embedded defaults.';

let options;
try {
  ({ values: options } = parseArgs({
    options: {
      'backend-port': { type: 'string', default: '5000' },
      'gateway-port': { type: 'string', default: '8000' },
      // Runs the bundles already in dist/ (the launcher's own test uses it).
      'no-build': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (error) {
  process.stderr.write(`${error.message}\n${USAGE}\n`);
  process.exit(2);
}
if (options.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const ports = { backend: options['backend-port'], gateway: options['gateway-port'] };
for (const [service, port] of Object.entries(ports)) {
  if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    process.stderr.write(`--${service}-port must be a port number from 1 to 65535\n${USAGE}\n`);
    process.exit(2);
  }
}
if (Number(ports.backend) === Number(ports.gateway)) {
  process.stderr.write(`the backend and the gateway need two ports, not both ${ports.backend}\n`);
  process.exit(2);
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const nxEnv = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };

if (!options['no-build']) {
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
// the same port. Each gets its own from the flags instead, and the backend
// the gateway started beside it (unless DOCUTHINKER_AIML_URL names another). NODE_ENV too: a shell that exports
// NODE_ENV=production (common on servers) would make both services refuse
// the embedded defaults this command is for.
const serviceEnv = { ...process.env, NODE_ENV: 'development' };
delete serviceEnv.PORT;
process.exit(
  await superviseServices(
    [
      {
        name: 'backend',
        args: [join(root, 'dist/apps/backend/main.js')],
        env: {
          PORT: ports.backend,
          // The gateway started beside it, unless the shell names another.
          DOCUTHINKER_AIML_URL:
            process.env.DOCUTHINKER_AIML_URL || `http://127.0.0.1:${ports.gateway}`,
        },
      },
      {
        name: 'aiml-gateway',
        args: [join(root, 'dist/apps/aiml-gateway/main.js')],
        env: { PORT: ports.gateway },
      },
    ],
    { cwd: root, env: serviceEnv },
  ),
);
