// Reads a service's JSON log lines (pino) on stdin and prints the milliseconds
// between its "shutting down" and "stopped" lines, or "?" when either is missing.
import { createInterface } from 'node:readline';

const times = {};
for await (const line of createInterface({ input: process.stdin })) {
  try {
    const entry = JSON.parse(line);
    if (entry.msg === 'shutting down' || entry.msg === 'stopped')
      times[entry.msg] = typeof entry.time === 'number' ? entry.time : Date.parse(entry.time);
  } catch {
    // Not a log line (podman's own messages share the stream).
  }
}
const drained = times['stopped'] - times['shutting down'];
console.log(Number.isFinite(drained) ? String(drained) : '?');
