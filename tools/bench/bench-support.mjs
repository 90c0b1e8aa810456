// Shared helpers for the benchmarks in tools/bench: free ports, medians,
// and appending a result section to docs/benchmarks.md.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Appends one dated section with the command that produced it. */
export function recordResult({ title, command, table, notes = [] }) {
  const file = join(root, 'docs', 'benchmarks.md');
  if (!existsSync(file)) {
    writeFileSync(
      file,
      '# Benchmarks\n\nEvery figure is a ratio against an anchor measured in the same run on the same machine; ' +
        'absolute times are noisy here and are shown only for context. Each section is rewritten by the command it shows.\n',
    );
  }
  const machine = `${cpus().length} cores, Node ${process.version}`;
  const section = [
    '',
    `## ${title} — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Command: \`${command}\` (${machine})`,
    '',
    ...table,
    ...(notes.length ? ['', ...notes] : []),
    '',
  ].join('\n');
  // The latest run of a benchmark replaces its previous section, so the file
  // shows one current figure per benchmark (git keeps the history).
  const current = readFileSync(file, 'utf8');
  const sections = current.split(/\n(?=## )/);
  const heading = `## ${title} — `;
  const index = sections.findIndex((part) => part.startsWith(heading));
  if (index === -1) {
    appendFileSync(file, section);
    return;
  }
  sections[index] = section.replace(/^\n/, '').replace(/\n$/, '');
  writeFileSync(file, sections.join('\n'));
}
