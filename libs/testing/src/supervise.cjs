#!/usr/bin/env node
'use strict';
// Runs one command in its own process group and guarantees it does not
// outlive the test process that asked for it: when that parent dies (even by
// SIGKILL, when nothing in it can clean up) or this supervisor gets SIGTERM,
// the whole group is terminated, SIGKILL following after a grace period.
// Usage: node supervise.cjs <parentPid> <command> [args...]
const { spawn } = require('node:child_process');

const [parentPidArg, command, ...args] = process.argv.slice(2);
const parentPid = Number(parentPidArg);
const GRACE_MS = 3000;

const child = spawn(command, args, { stdio: 'inherit', detached: true });
let stopping = false;

function killGroup(signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is already gone
  }
}

function stop() {
  if (stopping) return;
  stopping = true;
  killGroup('SIGTERM');
  setTimeout(() => killGroup('SIGKILL'), GRACE_MS).unref();
}

child.on('exit', (code, signal) => {
  killGroup('SIGKILL');
  process.exit(code ?? (signal ? 1 : 0));
});
child.on('error', (error) => {
  process.stderr.write(`supervise: cannot start ${command}: ${error.message}\n`);
  process.exit(127);
});
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

setInterval(() => {
  try {
    process.kill(parentPid, 0);
  } catch {
    stop();
  }
}, 250);
