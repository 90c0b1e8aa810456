import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes a `--require` preload that makes every server's `listen` fail with
 * a message quoting `quoted` (as a driver's or the kernel's message may quote
 * a connection string), and returns the NODE_OPTIONS that load it: a failed
 * start on demand, for tests of what the process says as it exits.
 */
export function failingListenNodeOptions(dir: string, quoted: string): string {
  const preload = join(dir, 'failing-listen.cjs');
  writeFileSync(
    preload,
    `const net = require('node:net');
net.Server.prototype.listen = function () {
  process.nextTick(() => this.emit('error', new Error(${JSON.stringify(`listen refused (${quoted})`)})));
  return this;
};
`,
  );
  return `--require ${preload}`;
}
