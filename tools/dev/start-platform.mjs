#!/usr/bin/env node
// `npm start`: builds both services and runs them on embedded defaults
// (backend :5000, gateway :8000). Ctrl-C stops both cleanly; if one dies,
// the other is stopped too and the exit code says so.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

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
const serviceEnv = { NODE_ENV: 'development', ...process.env };
delete serviceEnv.PORT;
const services = [
  { name: 'backend', bundle: 'dist/apps/backend/main.js' },
  { name: 'aiml-gateway', bundle: 'dist/apps/aiml-gateway/main.js' },
].map(({ name, bundle }) => {
  const child = spawn(process.execPath, [join(root, bundle)], {
    cwd: root,
    env: serviceEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Own process group: Ctrl-C reaches only this launcher, which stops each
    // service exactly once (a second signal would make a service exit 1).
    detached: true,
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) =>
      process.stdout.write(`[${name}] ${line}\n`),
    );
  }
  const exited = new Promise((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))),
  );
  return { name, child, exited };
});

let stopping = false;
function stopAll(signal) {
  if (stopping) return;
  stopping = true;
  for (const { child } of services) if (child.exitCode === null) child.kill(signal);
}
process.on('SIGINT', () => stopAll('SIGTERM'));
process.on('exit', () => stopAll('SIGKILL'));
process.on('SIGTERM', () => stopAll('SIGTERM'));

for (const service of services) {
  service.exited.then((code) => {
    if (!stopping) {
      process.stderr.write(
        `${service.name} exited unexpectedly (code ${code}); stopping the platform\n`,
      );
      process.exitCode = 1;
      stopAll('SIGTERM');
    }
  });
}
const codes = await Promise.all(services.map((service) => service.exited));
process.exit(process.exitCode ?? (codes.every((code) => code === 0) ? 0 : 1));
