// Writes one suite's rows into docs/resilience.md, replacing that suite's
// previous section. Every suite (faults, bad input, security) reports through
// here so the table has one shape: scenario, expected, observed, requests
// failed, data lost. A suite exits non-zero itself when a row fails; this only records.
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeMarkdownSection } from '../reports/markdown-section.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const escapeCell = (value) => String(value).replaceAll('|', '\\|').replaceAll('\n', ' ');

/**
 * @param {{
 *   suite: string,            // section title, e.g. "Faults"
 *   command: string,          // the one command that regenerates the section
 *   rows: Array<{ scenario: string, expected: string, observed: string, requestsFailed: number, dataLost: number }>,
 *   notes?: string[],
 * }} report
 */
export function recordResilience({ suite, command, rows, notes = [] }) {
  const machine = `${cpus().length} cores, Node ${process.version}`;
  writeMarkdownSection({
    file: join(root, 'docs', 'resilience.md'),
    preamble:
      '# Resilience\n\nWhat the platform does when production happens to it, shown by suites that run real processes on one machine. ' +
      'Each section is rewritten by the command it shows; "data lost" must be 0 on every row.\n',
    headingPrefix: `## ${suite} — `,
    section: [
      `## ${suite} — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      '',
      `Command: \`${command}\` (${machine})`,
      '',
      '| Scenario | Expected | Observed | Requests failed | Data lost |',
      '| --- | --- | --- | --- | --- |',
      ...rows.map((row) =>
        [row.scenario, row.expected, row.observed, row.requestsFailed, row.dataLost]
          .map(escapeCell)
          .join(' | ')
          .replace(/^/, '| ')
          .concat(' |'),
      ),
      ...(notes.length ? ['', ...notes] : []),
    ].join('\n'),
  });
}
