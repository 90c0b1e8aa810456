// Reads a service's JSON log lines (pino) on stdin and prints two fields: the
// milliseconds between its "shutting down" and "stopped" lines, and the epoch
// microseconds of "shutting down" (the moment the service closed its
// listener: from then on the kernel refuses or resets new connections, and no
// process can accept one); "?" for a field whose lines are missing.
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
const listenerClosedMicros = times['shutting down'] * 1000;
console.log(
  `${Number.isFinite(drained) ? drained : '?'} ${Number.isFinite(listenerClosedMicros) ? listenerClosedMicros : '?'}`,
);
