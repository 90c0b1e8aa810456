import { brotliCompressSync, constants as zlib, deflateSync } from 'node:zlib';

/**
 * PDFs whose streams are written byte for byte, for the stream guard's
 * tests: any dictionary text (padding, comments, indirect filters, a false
 * /Subtype), any data, and what the keyword is followed by. The encoders
 * below make that data: each is the smallest honest way to reach a size,
 * not a general-purpose codec.
 */
export interface RawStream {
  /** The dictionary's entries, without `<<` and `>>`; /Length is added. */
  entries: string;
  data: Uint8Array;
  /** What follows the `stream` keyword up to its end of line (pdf.js skips it). */
  afterKeyword?: string;
}

/**
 * One page drawing `contents` in order. Objects 1 to 4 are the catalog,
 * page tree, page and font; `objects` follow from 5, so an entry can name
 * them as `5 0 R` and onwards; the content streams come after them.
 */
export function buildRawStreamPdf(options: {
  contents: readonly RawStream[];
  objects?: readonly string[];
  /** Image XObjects the page draws, after the content streams; each is named /Im1, /Im2, ... */
  images?: readonly RawStream[];
}): Uint8Array {
  const objects = options.objects ?? [];
  const images = options.images ?? [];
  const firstContent = 5 + objects.length;
  const firstImage = firstContent + options.contents.length;
  const contentRefs = options.contents.map((_, index) => `${firstContent + index} 0 R`);
  const imageRefs = images.map((_, index) => `/Im${index + 1} ${firstImage + index} 0 R`);
  const bodies: Buffer[] = [
    latin1('<< /Type /Catalog /Pages 2 0 R >>'),
    latin1('<< /Type /Pages /Count 1 /Kids [3 0 R] >>'),
    latin1(
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] ' +
        `/Resources << /Font << /F1 4 0 R >> /XObject << ${imageRefs.join(' ')} >> >> ` +
        `/Contents [${contentRefs.join(' ')}] >>`,
    ),
    latin1('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'),
    ...objects.map(latin1),
    ...[...options.contents, ...images].map(streamBody),
  ];
  const parts: Buffer[] = [latin1('%PDF-1.7\n')];
  let length = parts[0]?.length ?? 0;
  const offsets = bodies.map((body, index) => {
    const offset = length;
    const object = Buffer.concat([latin1(`${index + 1} 0 obj\n`), body, latin1('\nendobj\n')]);
    parts.push(object);
    length += object.length;
    return offset;
  });
  const xref =
    `xref\n0 ${bodies.length + 1}\n0000000000 65535 f \n` +
    offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('') +
    `trailer\n<< /Size ${bodies.length + 1} /Root 1 0 R >>\nstartxref\n${length}\n%%EOF\n`;
  parts.push(latin1(xref));
  return new Uint8Array(Buffer.concat(parts));
}

function streamBody(stream: RawStream): Buffer {
  return Buffer.concat([
    latin1(
      `<< ${stream.entries} /Length ${stream.data.length} >>\nstream${stream.afterKeyword ?? ''}\n`,
    ),
    stream.data,
    latin1('\nendstream'),
  ]);
}

function latin1(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

/** `text` drawn once, then spaces up to `bytes`: the content every bomb here decodes to. */
export function drawnTextThenSpaces(text: string, bytes: number): Buffer {
  const drawn = latin1(`BT /F1 18 Tf 72 720 Td (${text}) Tj ET\n`);
  return Buffer.concat([drawn, Buffer.alloc(Math.max(0, bytes - drawn.length), 0x20)]);
}

export function flate(data: Uint8Array): Buffer {
  return deflateSync(data);
}

export function brotli(data: Uint8Array): Buffer {
  return brotliCompressSync(data, { params: { [zlib.BROTLI_PARAM_QUALITY]: 4 } });
}

/** ASCII85 as the PDF filter reads it: `z` for a zero group, `~>` at the end. */
export function ascii85(data: Uint8Array): Buffer {
  let text = '';
  for (let offset = 0; offset < data.length; offset += 4) {
    const group = data.subarray(offset, offset + 4);
    const padded = Buffer.alloc(4);
    padded.set(group);
    let value = padded.readUInt32BE(0);
    if (value === 0 && group.length === 4) {
      text += 'z';
      continue;
    }
    const digits: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      digits.unshift(String.fromCharCode((value % 85) + 33));
      value = Math.floor(value / 85);
    }
    text += digits.slice(0, group.length + 1).join('');
  }
  return latin1(`${text}~>`);
}

/** RunLength: the text as a literal run, then 128 spaces per two bytes. */
export function runLength(text: string, bytes: number): Buffer {
  const drawn = latin1(`BT /F1 18 Tf 72 720 Td (${text}) Tj ET\n`);
  const parts = [Buffer.from([drawn.length - 1]), drawn];
  for (let written = drawn.length; written < bytes; written += 128)
    parts.push(Buffer.from([129, 0x20]));
  parts.push(Buffer.from([128]));
  return Buffer.concat(parts);
}

/**
 * LZW (EarlyChange 1, as pdf.js reads it by default): the text, then one
 * space whose dictionary entries grow a byte at a time up to the 4096th, whose
 * 3,839 spaces are then repeated with one 12-bit code each.
 */
export function lzw(text: string, bytes: number): Buffer {
  const out = new MsbBits();
  let width = 9;
  let next = 258;
  const added = (): void => {
    next += 1;
    if (((next + 1) & next) === 0) width = Math.min(Math.log2(next + 1) + 1, 12);
  };
  out.put(256, width);
  [...`BT /F1 18 Tf 72 720 Td (${text}) Tj ET\n`].forEach((character, index) => {
    out.put(character.charCodeAt(0), width);
    if (index > 0) added();
  });
  out.put(256, width);
  width = 9;
  next = 258;
  out.put(0x20, width);
  let produced = 1;
  for (let code = 258; code < 4096; code += 1) {
    out.put(code, width);
    produced += code - 256;
    added();
  }
  while (produced < bytes) {
    out.put(4095, 12);
    produced += 4095 - 256;
  }
  out.put(257, 12);
  return out.bytes();
}

/** Bits packed most significant first, as LZW codes are. */
class MsbBits {
  private readonly out: number[] = [];
  private pending = 0;
  private count = 0;

  put(code: number, width: number): void {
    this.pending = (this.pending << width) | code;
    this.count += width;
    while (this.count >= 8) {
      this.count -= 8;
      this.out.push((this.pending >> this.count) & 0xff);
    }
    this.pending &= (1 << this.count) - 1;
  }

  bytes(): Buffer {
    if (this.count > 0) this.out.push((this.pending << (8 - this.count)) & 0xff);
    return Buffer.from(this.out);
  }
}
