/**
 * A valid PDF of `pages` pages that all draw the same content stream: one
 * line of text followed by `operatorKiB` KiB of `q Q` (save/restore graphics
 * state) operators, stored uncompressed. Nothing in it is a decompression
 * bomb or over a page limit (1500 pages, ~600 KiB), yet pdf.js interprets
 * the shared stream once per page while looking for text: 1500 × 400 KiB of
 * operators is minutes of CPU. Built here rather than committed, so what
 * makes it hostile is visible.
 */
export function sharedContentStreamPdf(pages: number, operatorKiB: number): Buffer {
  const stream = `BT /F1 18 Tf 72 720 Td (Hostile) Tj ET\n${'q Q '.repeat(operatorKiB * 256)}`;
  const firstPage = 5;
  const kids = Array.from({ length: pages }, (_, index) => `${firstPage + index} 0 R`);
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Count ${pages} /Kids [${kids.join(' ')}] >>`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    ...kids.map(
      () =>
        '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] ' +
        '/Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>',
    ),
  ];
  let out = '%PDF-1.4\n';
  const offsets = objects.map((body, index) => {
    const offset = out.length;
    out += `${index + 1} 0 obj\n${body}\nendobj\n`;
    return offset;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  out += offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  // Only ASCII is written, so string offsets are byte offsets.
  return Buffer.from(out, 'latin1');
}
