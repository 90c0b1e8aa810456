import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const reportModule = join(__dirname, '../reports/markdown-section.mjs');

/** One run of a report command: writeMarkdownSection with this section, in a process of its own (ES module). */
function writeSection(file: string, section: string): void {
  const script = `import { writeMarkdownSection } from ${JSON.stringify(reportModule)};
writeMarkdownSection({ file: process.argv[1], preamble: '# Report\\n', headingPrefix: '## Proxy — ', section: process.argv[2] });`;
  execFileSync(process.execPath, ['--input-type=module', '-e', script, file, section]);
}

describe('writeMarkdownSection', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'dt-markdown-section-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  /** A report with a Proxy section (its generated text, then a hand-written subsection) and a Search section. */
  const report = (proxyHeading: string, proxyText: string) =>
    [
      '# Report',
      '',
      proxyHeading,
      '',
      proxyText,
      '',
      '### Earlier runs',
      '',
      'On 2026-11-30: 0.36×.',
      '',
      '## Search — 2026-11-29 10:00 UTC',
      '',
      'p95 11 ms.',
      '',
    ].join('\n');

  it("replaces its section's generated text and keeps the hand-written ### subsections and other sections", () => {
    const file = join(directory, 'report.md');
    writeFileSync(file, report('## Proxy — 2026-12-01 05:03 UTC', 'Measured 0.57×.'));
    writeSection(file, '## Proxy — 2026-12-02 04:07 UTC\n\nMeasured 0.41×.\n');
    expect(readFileSync(file, 'utf8')).toBe(
      report('## Proxy — 2026-12-02 04:07 UTC', 'Measured 0.41×.'),
    );
  });

  it('writes a section without subsections as the run gives it, and appends a new one', () => {
    const file = join(directory, 'report.md');
    writeSection(file, '## Proxy — 2026-12-02 04:07 UTC\n\nMeasured 0.41×.\n');
    writeSection(file, '## Proxy — 2026-12-02 05:00 UTC\n\nMeasured 0.43×.\n');
    expect(readFileSync(file, 'utf8')).toBe(
      '# Report\n\n## Proxy — 2026-12-02 05:00 UTC\n\nMeasured 0.43×.\n',
    );
  });
});
