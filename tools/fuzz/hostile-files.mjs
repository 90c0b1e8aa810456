// The hostile upload corpus, generated at run time so the repository holds
// no bombs: each file is small on the wire and expensive only to a parser
// that trusts it.
import { constants, crc32, deflateRawSync, createDeflateRaw } from 'node:zlib';

/** Deflates `count` copies of `unit` between `prefix` and `suffix` without building the whole. */
async function deflateRepeated(prefix, unit, count, suffix) {
  const deflate = createDeflateRaw({ level: constants.Z_BEST_COMPRESSION });
  const output = [];
  deflate.on('data', (chunk) => output.push(chunk));
  const done = new Promise((resolve, reject) => {
    deflate.on('end', resolve);
    deflate.on('error', reject);
  });
  let crc = crc32(prefix);
  const write = (chunk) =>
    deflate.write(chunk) ? Promise.resolve() : new Promise((r) => deflate.once('drain', r));
  await write(prefix);
  const block = Buffer.from(unit.repeat(Math.max(1, Math.floor((1024 * 1024) / unit.length))));
  const perBlock = block.length / unit.length;
  let written = 0;
  while (written < count) {
    const part = written + perBlock <= count ? block : Buffer.from(unit.repeat(count - written));
    crc = crc32(part, crc);
    await write(part);
    written += part.length / unit.length;
  }
  crc = crc32(suffix, crc);
  deflate.end(suffix);
  await done;
  return {
    compressed: Buffer.concat(output),
    crc,
    size: prefix.length + count * unit.length + suffix.length,
  };
}

/** A zip archive of already-deflated entries (method 8), with honest headers. */
function zipArchive(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(entry.crc >>> 0, 14);
    local.writeUInt32LE(entry.compressed.length, 18);
    local.writeUInt32LE(Math.min(entry.size, 0xffffffff), 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(entry.crc >>> 0, 16);
    central.writeUInt32LE(entry.compressed.length, 20);
    central.writeUInt32LE(Math.min(entry.size, 0xffffffff), 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, entry.compressed);
    centrals.push(central, name);
    offset += local.length + name.length + entry.compressed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

function small(name, text) {
  const bytes = Buffer.from(text);
  return { name, compressed: deflateRawSync(bytes), crc: crc32(bytes), size: bytes.length };
}

/**
 * A DOCX whose document.xml inflates from about 1 MB to 1 GiB. With
 * `declaredSize` its zip headers claim that size instead of the real one: a
 * guard that trusted them would start inflating.
 */
export async function docxZipBomb({ declaredSize } = {}) {
  const body = await deflateRepeated(
    Buffer.from(
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>',
    ),
    'a',
    1024 * 1024 * 1024,
    Buffer.from('</w:t></w:r></w:p></w:body></w:document>'),
  );
  return zipArchive([
    small(
      '[Content_Types].xml',
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    ),
    small(
      '_rels/.rels',
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
    ),
    { name: 'word/document.xml', ...body, size: declaredSize ?? body.size },
  ]);
}

/** A PDF of the given objects (strings or Buffers) with a correct cross-reference table. */
function pdfOf(objects) {
  const parts = [Buffer.from('%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n', 'latin1')];
  const offsets = [];
  let length = parts[0].length;
  objects.forEach((object, index) => {
    offsets.push(length);
    const body = Buffer.isBuffer(object) ? object : Buffer.from(object, 'latin1');
    const part = Buffer.concat([
      Buffer.from(`${index + 1} 0 obj\n`),
      body,
      Buffer.from('\nendobj\n'),
    ]);
    parts.push(part);
    length += part.length;
  });
  const xref = [
    'xref',
    `0 ${objects.length + 1}`,
    '0000000000 65535 f ',
    ...offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n `),
    'trailer',
    `<< /Size ${objects.length + 1} /Root 1 0 R >>`,
    'startxref',
    String(length),
    '%%EOF',
  ].join('\n');
  return Buffer.concat([...parts, Buffer.from(`${xref}\n`, 'latin1')]);
}

const PAGE =
  '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>';
const CONTENT = 'BT /F1 12 Tf 72 720 Td (absurd page) Tj ET';
const FONT = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';

/** One real page, and a page tree that claims 2^31-1 of them. */
export function pdfAbsurdPageCount() {
  return pdfOf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 2147483647 >>',
    PAGE,
    `<< /Length ${CONTENT.length} >>\nstream\n${CONTENT}\nendstream`,
    FONT,
  ]);
}

/** A page tree that really lists one page object 200,000 times (about 1.2 MB). */
export function pdfRepeatedPageTree() {
  const kids = Array(200_000).fill('3 0 R').join(' ');
  return pdfOf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${kids}] /Count 200000 >>`,
    PAGE,
    `<< /Length ${CONTENT.length} >>\nstream\n${CONTENT}\nendstream`,
    FONT,
  ]);
}

/** One page whose content stream inflates to ~512 MiB of text operators. */
export async function pdfStreamBomb() {
  const { compressed } = await deflateRepeated(
    Buffer.from('BT /F1 12 Tf 72 720 Td '),
    '(bomb) Tj ',
    50 * 1024 * 1024,
    Buffer.from('ET'),
  );
  // FlateDecode is zlib-wrapped: two header bytes and an Adler-32 trailer
  // that pdf.js does not check.
  const zlibStream = Buffer.concat([Buffer.from([0x78, 0xda]), compressed, Buffer.alloc(4)]);
  return pdfOf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    PAGE,
    Buffer.concat([
      Buffer.from(`<< /Length ${zlibStream.length} /Filter /FlateDecode >>\nstream\n`),
      zlibStream,
      Buffer.from('\nendstream'),
    ]),
    FONT,
  ]);
}

/** JSON nested 100,000 levels deep (200 KB). */
export function deeplyNestedJson(depth = 100_000) {
  return Buffer.from(`${'['.repeat(depth)}${']'.repeat(depth)}`);
}

/** Text with byte sequences that are not UTF-8 (a lone continuation, an overlong, 0xFF). */
export function invalidUtf8() {
  return Buffer.concat([
    Buffer.from('Quarterly report.\n'),
    Buffer.from([0xc3, 0x28, 0x20, 0xa0, 0xa1, 0x20, 0xc0, 0xaf, 0x20, 0xff, 0xfe, 0x0a]),
    Buffer.from('More text after the bad bytes.\n'),
  ]);
}

/** File names that try to climb out of, or hide in, the storage directory. */
export const TRAVERSAL_FILENAMES = [
  '../../../../../../tmp/dt-fuzz-escape.txt',
  '..\\..\\..\\..\\tmp\\dt-fuzz-escape.txt',
  '/etc/dt-fuzz-escape.txt',
  'C:\\Windows\\dt-fuzz-escape.txt',
  'reports/../../dt-fuzz-escape.txt',
  '%2e%2e%2f%2e%2e%2fdt-fuzz-escape.txt',
  '\u202Etxt.exe.dt-fuzz-escape.txt',
  '....//....//dt-fuzz-escape.txt',
];

/** Yields `total` bytes of text in 1 MiB chunks, so a 100 MB body is never in memory. */
export async function* streamedBytes(total, prefix = Buffer.alloc(0), suffix = Buffer.alloc(0)) {
  yield prefix;
  const chunk = Buffer.alloc(1024 * 1024, 'lorem ipsum dolor sit amet\n');
  let sent = 0;
  while (sent < total) {
    const size = Math.min(chunk.length, total - sent);
    yield size === chunk.length ? chunk : chunk.subarray(0, size);
    sent += size;
  }
  yield suffix;
}
