// Keeps generated Markdown reports (docs/benchmarks.md, docs/resilience.md)
// to one current section per subject: a run replaces the section whose
// heading starts with `headingPrefix`, or appends one (git keeps the history).
// A section's `### ` subsections are written by hand (earlier runs, why a
// figure moved, experiments) and are kept below the new run's text: before,
// every run dropped them and they had to be put back from git.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const prettierCli = createRequire(import.meta.url).resolve('prettier/bin/prettier.cjs');

/**
 * @param {{ file: string, preamble: string, headingPrefix: string, section: string }} options
 *   `section` starts with its `## ` heading line; `preamble` is written when the file is new.
 */
export function writeMarkdownSection({ file, preamble, headingPrefix, section }) {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : preamble;
  const sections = current.replace(/\n+$/, '').split(/\n(?=## )/);
  const body = section.replace(/^\n+/, '').replace(/\n+$/, '');
  const index = sections.findIndex((part) => part.startsWith(headingPrefix));
  if (index === -1) sections.push(`${body}`);
  else sections[index] = `${body}${handWrittenSubsections(sections[index])}`;
  writeFileSync(file, `${sections.join('\n\n').replace(/\n{3,}/g, '\n\n')}\n`);
  // Aligned tables, so `nx format:check` stays clean after a run.
  execFileSync(process.execPath, [prettierCli, '--log-level=warn', '--write', file], {
    stdio: 'inherit',
  });
}

/** The `### ` subsections of a section, from the first one's heading to its end ('' when it has none). */
function handWrittenSubsections(section) {
  const start = section.search(/\n### /);
  return start === -1 ? '' : `\n${section.slice(start)}`;
}
