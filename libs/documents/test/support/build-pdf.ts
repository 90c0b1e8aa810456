import { deflateRawSync, deflateSync, inflateSync } from 'node:zlib';

/**
 * Writes small, well-formed PDFs for tests: real objects and a correct xref
 * table, optionally with a page count, page tree or encryption dictionary
 * that makes them hostile. Built here instead of committed as binary fixtures.
 */
export interface PdfBlueprint {
  /** Text drawn on each page, one entry per page object actually written. */
  pageTexts: readonly string[];
  /** The /Count the page tree claims; defaults to the real number of pages. */
  claimedPageCount?: number;
  /** Adds a standard security handler whose user password is not empty. */
  passwordProtected?: boolean;
  /** The information dictionary's /Title, written as given: `(text)` or `<FEFF…>`. */
  titleObject?: string;
}

const FILE_ID = '<0123456789abcdef0123456789abcdef>';

export function buildPdf(blueprint: PdfBlueprint): Uint8Array {
  const pdf = new PdfObjects();
  const catalog = pdf.reserve();
  const pageTree = pdf.reserve();
  const font = pdf.add(HELVETICA);
  const pages = blueprint.pageTexts.map((text) =>
    pdf.add(page(pageTree, font, pdf.add(textStream(text)))),
  );
  pdf.set(catalog, `<< /Type /Catalog /Pages ${pageTree} 0 R >>`);
  const count = blueprint.claimedPageCount ?? pages.length;
  pdf.set(
    pageTree,
    `<< /Type /Pages /Count ${count} /Kids [${pages.map((ref) => `${ref} 0 R`).join(' ')}] >>`,
  );

  let trailerExtras = '';
  if (blueprint.titleObject !== undefined) {
    trailerExtras += ` /Info ${pdf.add(`<< /Title ${blueprint.titleObject} >>`)} 0 R`;
  }
  if (blueprint.passwordProtected) {
    // RC4 (revision 2) with O and U values that no empty password matches.
    const garbage = `<${'a5'.repeat(32)}>`;
    const encrypt = pdf.add(`<< /Filter /Standard /V 1 /R 2 /O ${garbage} /U ${garbage} /P -44 >>`);
    trailerExtras += ` /Encrypt ${encrypt} 0 R /ID [${FILE_ID} ${FILE_ID}]`;
  }
  return pdf.serialize(catalog, trailerExtras);
}

/**
 * A page tree `depth` levels deep in which every node lists the same child
 * `fanOut` times: fanOut^depth real pages from a few hundred bytes.
 */
export function buildPageTreeBombPdf(depth: number, fanOut: number): Uint8Array {
  const pdf = new PdfObjects();
  const catalog = pdf.reserve();
  const levels = Array.from({ length: depth }, () => pdf.reserve());
  const lowestLevel = levels[levels.length - 1];
  if (lowestLevel === undefined) throw new RangeError('A page tree needs at least one level');
  const font = pdf.add(HELVETICA);
  const leaf = pdf.add(page(lowestLevel, font, pdf.add(textStream('Repeated page'))));
  pdf.set(catalog, `<< /Type /Catalog /Pages ${levels[0]} 0 R >>`);
  levels.forEach((node, level) => {
    const child = levels[level + 1] ?? leaf;
    const parent = level === 0 ? '' : ` /Parent ${levels[level - 1]} 0 R`;
    const kids = Array.from({ length: fanOut }, () => `${child} 0 R`).join(' ');
    pdf.set(
      node,
      `<< /Type /Pages${parent} /Count ${fanOut ** (depth - level)} /Kids [${kids}] >>`,
    );
  });
  return pdf.serialize(catalog, '');
}

/**
 * One page whose content stream is `text` drawn once, then padded with
 * spaces to `inflatedBytes`, and compressed with `flateStages` FlateDecode
 * filters: a decompression bomb when the padding is large. `declaredLength`
 * lets the /Length entry lie; `fakeEndStream` plants an `endstream` keyword
 * inside the compressed data, as a stored deflate block can carry any bytes.
 */
export function buildFlatePdf(options: {
  text: string;
  inflatedBytes: number;
  flateStages?: number;
  declaredLength?: number;
  fakeEndStream?: boolean;
}): Uint8Array {
  const stages = options.flateStages ?? 1;
  const drawn = `BT /F1 18 Tf 72 720 Td (${options.text}) Tj ET`;
  let data: Buffer = Buffer.concat([
    Buffer.from(drawn, 'latin1'),
    Buffer.alloc(Math.max(0, options.inflatedBytes - drawn.length), 0x20),
  ]);
  for (let stage = 0; stage < stages; stage += 1) data = deflateSync(data);
  if (options.fakeEndStream) data = withPlantedEndStream(inflateSync(data));
  const filters = Array.from({ length: stages }, () => '/FlateDecode').join(' ');
  const pdf = new PdfObjects();
  const catalog = pdf.reserve();
  const pageTree = pdf.reserve();
  const font = pdf.add(HELVETICA);
  const contents = pdf.add(
    `<< /Length ${options.declaredLength ?? data.length} /Filter [${filters}] >>\n` +
      `stream\n${data.toString('latin1')}\nendstream`,
  );
  const onlyPage = pdf.add(page(pageTree, font, contents));
  pdf.set(catalog, `<< /Type /Catalog /Pages ${pageTree} 0 R >>`);
  pdf.set(pageTree, `<< /Type /Pages /Count 1 /Kids [${onlyPage} 0 R] >>`);
  return pdf.serialize(catalog, '');
}

/**
 * A page tree listing one page `pageCount` times, whose /Contents lists one
 * compressed stream of `wordsPerPage` words `streamsPerPage` times. The
 * stream guard inflates (and counts) that stream once, but pdf.js extracts
 * its text once per listing, so a file of a few KB carries
 * `pageCount × streamsPerPage` times the text its one stream holds.
 */
export function buildSharedContentPdf(options: {
  pageCount: number;
  wordsPerPage: number;
  streamsPerPage?: number;
}): Uint8Array {
  // A font size this small keeps every word inside the page: pdf.js leaves
  // out text drawn beyond the page's edges.
  const drawn = `BT /F1 0.01 Tf 72 720 Td (${'word '.repeat(options.wordsPerPage)}) Tj ET`;
  const data = deflateSync(Buffer.from(drawn, 'latin1'));
  const pdf = new PdfObjects();
  const catalog = pdf.reserve();
  const pageTree = pdf.reserve();
  const font = pdf.add(HELVETICA);
  const contents = pdf.add(
    `<< /Length ${data.length} /Filter /FlateDecode >>\n` +
      `stream\n${data.toString('latin1')}\nendstream`,
  );
  const contentsList = Array.from({ length: options.streamsPerPage ?? 1 }, () => `${contents} 0 R`);
  const sharedPage = pdf.add(
    `<< /Type /Page /Parent ${pageTree} 0 R /MediaBox [0 0 612 792] ` +
      `/Resources << /Font << /F1 ${font} 0 R >> >> /Contents [${contentsList.join(' ')}] >>`,
  );
  const kids = Array.from({ length: options.pageCount }, () => `${sharedPage} 0 R`);
  pdf.set(catalog, `<< /Type /Catalog /Pages ${pageTree} 0 R >>`);
  pdf.set(pageTree, `<< /Type /Pages /Count ${options.pageCount} /Kids [${kids.join(' ')}] >>`);
  return pdf.serialize(catalog, '');
}

/**
 * A zlib stream whose first block is stored (uncompressed) and carries an
 * `endstream` keyword, followed by `content` compressed: valid deflate data
 * in which a naive scanner sees the stream end after a few bytes.
 */
function withPlantedEndStream(content: Buffer): Buffer {
  const planted = Buffer.from('\nendstream\nendobj\n', 'latin1');
  const storedHeader = Buffer.alloc(5);
  storedHeader.writeUInt8(0, 0); // not final, stored
  storedHeader.writeUInt16LE(planted.length, 1);
  storedHeader.writeUInt16LE(~planted.length & 0xffff, 3);
  const checksum = Buffer.alloc(4);
  checksum.writeUInt32BE(adler32(Buffer.concat([planted, content])));
  return Buffer.concat([
    Buffer.from([0x78, 0x01]),
    storedHeader,
    planted,
    deflateRawSync(content),
    checksum,
  ]);
}

function adler32(bytes: Buffer): number {
  let a = 1;
  let b = 0;
  for (let index = 0; index < bytes.length; index += 1) {
    a = (a + (bytes[index] as number)) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

const HELVETICA = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';

function page(parent: number, font: number, contents: number): string {
  return (
    `<< /Type /Page /Parent ${parent} 0 R /MediaBox [0 0 612 792] ` +
    `/Resources << /Font << /F1 ${font} 0 R >> >> /Contents ${contents} 0 R >>`
  );
}

function textStream(text: string): string {
  const escaped = text.replace(/[\\()]/g, (character) => `\\${character}`);
  const stream = text === '' ? '' : `BT /F1 18 Tf 72 720 Td (${escaped}) Tj ET`;
  return `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`;
}

class PdfObjects {
  private readonly bodies: string[] = [];

  reserve(): number {
    return this.bodies.push('');
  }

  add(body: string): number {
    return this.bodies.push(body);
  }

  set(reference: number, body: string): void {
    this.bodies[reference - 1] = body;
  }

  serialize(root: number, trailerExtras: string): Uint8Array {
    let out = '%PDF-1.4\n';
    const offsets = this.bodies.map((body, index) => {
      const offset = out.length;
      out += `${index + 1} 0 obj\n${body}\nendobj\n`;
      return offset;
    });
    const xrefOffset = out.length;
    out += `xref\n0 ${this.bodies.length + 1}\n0000000000 65535 f \n`;
    out += offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
    out += `trailer\n<< /Size ${this.bodies.length + 1} /Root ${root} 0 R${trailerExtras} >>\n`;
    out += `startxref\n${xrefOffset}\n%%EOF\n`;
    // Only latin1 is written (binary stream data included), so string offsets are byte offsets.
    return new Uint8Array(Buffer.from(out, 'latin1'));
  }
}
