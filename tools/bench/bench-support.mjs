// Shared helpers for the benchmarks in tools/bench: free ports, medians,
// worker bundles, and writing a result section to docs/benchmarks.md.
import { build } from 'esbuild';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeMarkdownSection } from '../reports/markdown-section.mjs';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Bundles tools/bench/<name>.ts into dist/tools/bench/<name>.cjs with every
 * dependency inlined, as the services bundle their parsers, and returns its path.
 */
export async function bundleBenchWorker(name) {
  const outfile = join(root, 'dist', 'tools', 'bench', `${name}.cjs`);
  await build({
    entryPoints: [join(root, 'tools', 'bench', `${name}.ts`)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    tsconfig: join(root, 'tools/tsconfig.json'),
    logLevel: 'warning',
  });
  return outfile;
}

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

/** Writes (or replaces) one dated section with the command that produced it. */
export function recordResult({ title, command, table, notes = [] }) {
  const machine = `${cpus().length} cores, Node ${process.version}`;
  writeMarkdownSection({
    file: join(root, 'docs', 'benchmarks.md'),
    preamble:
      '# Benchmarks\n\nEvery figure is a ratio against an anchor measured in the same run on the same machine; ' +
      'absolute times are noisy here and are shown only for context. Each section is rewritten by the command it shows, except Container images, copied from what `image-smoke.sh` prints in CI; ' +
      'its `###` subsections (earlier runs, notes) are written by hand and kept across runs.\n\n' +
      'The services run as `npm start` runs them, on embedded defaults, at `DOCUTHINKER_LOG_LEVEL=warn` unless a section says ' +
      "otherwise: no log line per request (production's default, `info`, writes one per request; the /analyze " +
      'section measures what that costs).\n',
    headingPrefix: `## ${title} — `,
    section: [
      `## ${title} — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      '',
      `Command: \`${command}\` (${machine})`,
      '',
      ...table,
      ...(notes.length ? ['', ...notes] : []),
    ].join('\n'),
  });
}
