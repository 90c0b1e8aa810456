import { SOURCES, SOURCE_LABELS, type ParityReport } from './parity-model';

const NOT_APPLICABLE = '—';

/** A plain-text table (one row per fact, one column per artifact), then mismatches and defects. */
export function renderParityTable(report: ParityReport): string {
  const header = ['check', ...SOURCES.map((source) => SOURCE_LABELS[source]), 'result'];
  const body = report.rows.map((row) => [
    row.check,
    ...SOURCES.map((source) => row.cells[source] ?? NOT_APPLICABLE),
    row.ok ? 'ok' : 'MISMATCH',
  ]);
  const widths = header.map((_, column) =>
    Math.max(...[header, ...body].map((cells) => (cells[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  const lines = [line(header), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)];

  const mismatches = report.rows.filter((row) => !row.ok);
  lines.push('');
  lines.push(
    mismatches.length === 0
      ? `parity: ${report.rows.length} checks, 0 mismatches`
      : `parity: ${report.rows.length} checks, ${mismatches.length} mismatch(es)`,
  );
  for (const row of mismatches) lines.push(`  MISMATCH ${row.detail ?? row.check}`);
  for (const defect of report.knownDefects) lines.push(`  known defect: ${defect}`);
  return lines.join('\n');
}
