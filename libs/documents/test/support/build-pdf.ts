/**
 * Writes small, well-formed PDFs for tests: real objects, a correct xref
 * table and, where asked, a page count or an encryption dictionary that lies
 * about the content. Hostile inputs are built here instead of committed as
 * binary fixtures.
 */
export interface PdfBlueprint {
  /** Text drawn on each page, one entry per page object actually written. */
  pageTexts: readonly string[];
  /** The /Count the page tree claims; defaults to the real number of pages. */
  claimedPageCount?: number;
  /** Adds a standard security handler whose user password is not empty. */
  passwordProtected?: boolean;
}

export function buildPdf(blueprint: PdfBlueprint): Uint8Array {
  const objects: string[] = [];
  const add = (body: string): number => objects.push(body);

  const catalog = add('');
  const pageTree = add('');
  const font = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  const pageRefs = blueprint.pageTexts.map((text) => {
    const escaped = text.replace(/[\\()]/g, (c) => `\\${c}`);
    const stream = `BT /F1 18 Tf 72 720 Td (${escaped}) Tj ET`;
    const content = add(`<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`);
    return add(
      `<< /Type /Page /Parent ${pageTree} 0 R /MediaBox [0 0 612 792] ` +
        `/Resources << /Font << /F1 ${font} 0 R >> >> /Contents ${content} 0 R >>`,
    );
  });
  objects[catalog - 1] = `<< /Type /Catalog /Pages ${pageTree} 0 R >>`;
  const count = blueprint.claimedPageCount ?? pageRefs.length;
  objects[pageTree - 1] =
    `<< /Type /Pages /Count ${count} /Kids [${pageRefs.map((ref) => `${ref} 0 R`).join(' ')}] >>`;

  const fileId = '<0123456789abcdef0123456789abcdef>';
  let encryptEntry = '';
  if (blueprint.passwordProtected) {
    const garbage = '<' + 'a5'.repeat(32) + '>';
    const encrypt = add(`<< /Filter /Standard /V 1 /R 2 /O ${garbage} /U ${garbage} /P -44 >>`);
    encryptEntry = ` /Encrypt ${encrypt} 0 R /ID [${fileId} ${fileId}]`;
  }

  let out = '%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n';
  const offsets: number[] = [];
  objects.forEach((body, index) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${index + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xrefOffset = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  out += offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  out += `trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R${encryptEntry} >>\n`;
  out += `startxref\n${xrefOffset}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(out, 'latin1'));
}
