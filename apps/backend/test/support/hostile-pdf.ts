import { deflateSync } from 'node:zlib';

/**
 * A valid one-page PDF whose content stream is `megabytes` of `q Q`
 * (save/restore graphics state) operators after one line of text, deflated:
 * 128 MiB of operators compress to about 130 KiB, and pdf.js spends tens of
 * seconds of CPU interpreting them while looking for text. Built here
 * rather than committed, so what makes it hostile is visible.
 */
export function contentStreamBombPdf(megabytes: number): Buffer {
  const operators = Buffer.alloc(megabytes * 1024 * 1024, 'q Q ');
  const content = deflateSync(
    Buffer.concat([Buffer.from('BT /F1 18 Tf 72 720 Td (Hostile) Tj ET\n'), operators]),
    { level: 9 },
  );
  const objects: Buffer[] = [
    Buffer.from('<< /Type /Catalog /Pages 2 0 R >>'),
    Buffer.from('<< /Type /Pages /Count 1 /Kids [3 0 R] >>'),
    Buffer.from(
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] ' +
        '/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    ),
    Buffer.from('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'),
    Buffer.concat([
      Buffer.from(`<< /Length ${content.length} /Filter /FlateDecode >>\nstream\n`),
      content,
      Buffer.from('\nendstream'),
    ]),
  ];
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n')];
  let length = parts[0]?.length ?? 0;
  const offsets = objects.map((body, index) => {
    const offset = length;
    const object = Buffer.concat([
      Buffer.from(`${index + 1} 0 obj\n`),
      body,
      Buffer.from('\nendobj\n'),
    ]);
    parts.push(object);
    length += object.length;
    return offset;
  });
  const xref =
    `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n` +
    offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('') +
    `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${length}\n%%EOF\n`;
  parts.push(Buffer.from(xref));
  return Buffer.concat(parts);
}
