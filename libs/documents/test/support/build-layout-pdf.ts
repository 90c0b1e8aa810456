/**
 * Writes PDFs whose pages draw lines of text where a test puts them, for
 * specs about layout: running headers, page numbers, paragraph gaps.
 */
export interface LaidOutLine {
  text: string;
  /** Baseline, in points from the bottom of a 612 × 792 page. */
  y: number;
  /** Font size in points; 10 unless given. */
  size?: number;
  /** Left edge in points; 72 unless given. */
  x?: number;
}

export function buildLayoutPdf(pages: readonly (readonly LaidOutLine[])[]): Uint8Array {
  const bodies: string[] = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '', // the page tree, written once the pages are numbered
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  const pageRefs: number[] = [];
  for (const lines of pages) {
    const stream = lines
      .map(({ text, y, size = 10, x = 72 }) => {
        const escaped = text.replace(/[\\()]/g, (character) => `\\${character}`);
        return `BT /F1 ${size} Tf 1 0 0 1 ${x} ${y} Tm (${escaped}) Tj ET`;
      })
      .join('\n');
    const contents = bodies.push(`<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`);
    pageRefs.push(
      bodies.push(
        '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] ' +
          `/Resources << /Font << /F1 3 0 R >> >> /Contents ${contents} 0 R >>`,
      ),
    );
  }
  bodies[1] =
    `<< /Type /Pages /Count ${pageRefs.length} ` +
    `/Kids [${pageRefs.map((ref) => `${ref} 0 R`).join(' ')}] >>`;

  let out = '%PDF-1.4\n';
  const offsets = bodies.map((body, index) => {
    const offset = out.length;
    out += `${index + 1} 0 obj\n${body}\nendobj\n`;
    return offset;
  });
  const xrefOffset = out.length;
  out += `xref\n0 ${bodies.length + 1}\n0000000000 65535 f \n`;
  out += offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  out += `trailer\n<< /Size ${bodies.length + 1} /Root 1 0 R >>\nstartxref\n${xrefOffset}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(out, 'latin1'));
}

/**
 * A page as a word processor prints it: `header` at the top, each
 * paragraph's lines 12 points apart with 24 points between paragraphs,
 * `footer` at the bottom.
 */
export function printedPage(options: {
  header?: string;
  paragraphs: readonly (readonly string[])[];
  footer?: string;
}): LaidOutLine[] {
  const lines: LaidOutLine[] = [];
  if (options.header !== undefined) lines.push({ text: options.header, y: 750, size: 9 });
  let y = 700;
  for (const paragraph of options.paragraphs) {
    for (const text of paragraph) {
      lines.push({ text, y });
      y -= 12;
    }
    y -= 12;
  }
  if (options.footer !== undefined) lines.push({ text: options.footer, y: 40, size: 9 });
  return lines;
}
