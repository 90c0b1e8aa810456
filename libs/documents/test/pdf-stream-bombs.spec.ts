import { extractDocument, extractPdfText } from '../src';
import { buildFlatePdf } from './support/build-pdf';
import {
  ascii85,
  brotli,
  buildRawStreamPdf,
  drawnTextThenSpaces,
  flate,
  lzw,
  runLength,
} from './support/build-stream-pdf';
import { documentRejection } from './support/document-rejection';

const MIB = 1024 * 1024;
// A bomb must be refused from the budget, long before pdf.js would finish it
// (minutes for these files); the bound leaves room for building them on a busy machine.
const QUICKLY = 20_000;

describe('PDF decompression bombs', () => {
  it('reads a compressed content stream within the budget', async () => {
    const pdf = buildFlatePdf({ text: 'Compressed but honest', inflatedBytes: 64 * 1024 });

    const { text, pages } = await extractPdfText(pdf);

    expect(pages).toBe(1);
    expect(text).toContain('Compressed but honest');
  });

  it(
    'refuses a content stream that inflates past the budget, before pdf.js parses it',
    async () => {
      const pdf = buildFlatePdf({ text: 'Bomb', inflatedBytes: 160 * MIB });
      expect(pdf.byteLength).toBeLessThan(MIB);

      const error = await documentRejection(extractDocument({ bytes: pdf, filename: 'bomb.pdf' }));

      expect(error).toMatchObject({ code: 'DT_ERR_FILE_TOO_LARGE', status: 413 });
      expect(['maxUncompressedBytes', 'maxCompressionRatio']).toContain(error.limit);
    },
    QUICKLY,
  );

  it(
    'applies the ratio to small files: 40 MB from a few KB is refused under a 100 MB cap',
    async () => {
      const pdf = buildFlatePdf({ text: 'Ratio', inflatedBytes: 40 * MIB });

      const error = await documentRejection(extractPdfText(pdf));

      expect(error).toMatchObject({ code: 'DT_ERR_FILE_TOO_LARGE', limit: 'maxCompressionRatio' });
    },
    QUICKLY,
  );

  it(
    'counts the inner stage of a doubly compressed stream',
    async () => {
      const pdf = buildFlatePdf({ text: 'Nested', inflatedBytes: 160 * MIB, flateStages: 2 });
      expect(pdf.byteLength).toBeLessThan(64 * 1024);

      const error = await documentRejection(extractPdfText(pdf));

      expect(error.code).toBe('DT_ERR_FILE_TOO_LARGE');
    },
    QUICKLY,
  );

  it.each([
    ['a /Length that understates the data', { declaredLength: 10 }],
    ['an endstream keyword planted inside the data', { fakeEndStream: true }],
  ])(
    'is not fooled by %s',
    async (_lie, lie) => {
      const pdf = buildFlatePdf({ text: 'Liar', inflatedBytes: 40 * MIB, ...lie });

      const error = await documentRejection(extractPdfText(pdf));

      expect(error.code).toBe('DT_ERR_FILE_TOO_LARGE');
    },
    QUICKLY,
  );

  it('honours configured limits; by default 3 MB from a few KB is over the ratio', async () => {
    const pdf = buildFlatePdf({ text: 'Small cap', inflatedBytes: 3 * MIB });
    expect((await documentRejection(extractPdfText(pdf))).limit).toBe('maxCompressionRatio');

    await expect(extractPdfText(pdf, { maxCompressionRatio: 10_000 })).resolves.toMatchObject({
      pages: 1,
    });
    const error = await documentRejection(
      extractPdfText(pdf, { maxUncompressedBytes: 2 * MIB, maxCompressionRatio: 10_000 }),
    );
    expect(error).toMatchObject({ code: 'DT_ERR_FILE_TOO_LARGE', limit: 'maxUncompressedBytes' });
  });
});

/**
 * Bombs that a guard reading only what the dictionary announces would miss
 * (each was a 201 Created against the backend before): the data, not the
 * dictionary, decides that a stream is Flate; filters that cannot be
 * counted are refused wherever they are named.
 */
describe('PDF decompression bombs the dictionary hides', () => {
  const BOMB_BYTES = 150 * MIB;
  let deflatedBomb: Buffer | undefined;
  // Deflating 150 MiB takes a while; every case can share it.
  const bombData = (): Buffer => (deflatedBomb ??= flate(drawnTextThenSpaces('Bomb', BOMB_BYTES)));
  const refusal = (pdf: Uint8Array) =>
    documentRejection(extractDocument({ bytes: pdf, filename: 'hidden-bomb.pdf' }));

  it.each([
    ['an indirect /Filter (5 0 R naming /FlateDecode)', '/Filter 5 0 R', ['/FlateDecode']],
    [
      'a /Filter more than 4 KB before the keyword',
      `/Filter /FlateDecode /Pad (${'x'.repeat(5000)})`,
      [],
    ],
    ['an `obj` name inside the dictionary', '/Filter /FlateDecode /Note /obj', []],
    ['a filter name spelt with an escape (#6c for l)', '/Filter /F#6cateDecode', []],
  ])(
    'counts a Flate content stream behind %s',
    async (_trick, entries, objects) => {
      const pdf = buildRawStreamPdf({ contents: [{ entries, data: bombData() }], objects });

      const error = await refusal(pdf);

      expect(error).toMatchObject({ code: 'DT_ERR_FILE_TOO_LARGE', status: 413 });
      expect(['maxUncompressedBytes', 'maxCompressionRatio']).toContain(error.limit);
    },
    QUICKLY,
  );

  it(
    'counts a content stream that calls itself an image against the absolute cap',
    async () => {
      const pdf = buildRawStreamPdf({
        contents: [{ entries: '/Subtype /Image /Filter /FlateDecode', data: bombData() }],
      });

      const error = await refusal(pdf);

      expect(error).toMatchObject({ code: 'DT_ERR_FILE_TOO_LARGE', limit: 'maxUncompressedBytes' });
    },
    QUICKLY,
  );

  it.each([
    ['LZWDecode (60 KB decoding to 150 MiB)', '/Filter /LZWDecode', () => lzw('Bomb', BOMB_BYTES)],
    [
      'LZW on a stream that calls itself an image',
      '/Subtype /Image /Filter /LZW',
      () => lzw('Bomb', BOMB_BYTES),
    ],
    [
      'RunLengthDecode, whatever its size',
      '/Filter /RunLengthDecode',
      () => runLength('Bomb', 8 * MIB),
    ],
  ])(
    'refuses %s, which cannot be counted',
    async (_filter, entries, data) => {
      const pdf = buildRawStreamPdf({ contents: [{ entries, data: data() }] });

      const error = await refusal(pdf);

      expect(error).toMatchObject({ code: 'DT_ERR_FILE_TOO_LARGE', limit: 'maxUncompressedBytes' });
    },
    QUICKLY,
  );

  it.each([
    ['wrapped in ASCII85', '/Filter [/ASCII85Decode /FlateDecode]', () => ascii85(bombData()), ''],
    [
      'compressed with Brotli, which is refused',
      '/Filter /BrotliDecode',
      () => brotli(drawnTextThenSpaces('Bomb', BOMB_BYTES)),
      '',
    ],
    ['after bytes that follow the stream keyword', '/Filter /FlateDecode', bombData, '   junk'],
  ])(
    'counts a content stream %s',
    async (_how, entries, data, afterKeyword) => {
      const pdf = buildRawStreamPdf({ contents: [{ entries, data: data(), afterKeyword }] });

      const error = await refusal(pdf);

      expect(error.code).toBe('DT_ERR_FILE_TOO_LARGE');
    },
    QUICKLY,
  );

  it(
    'counts the row a PNG predictor pads out from its /Columns',
    async () => {
      const row = Buffer.concat([Buffer.from([0]), drawnTextThenSpaces('Predicted', 0)]);
      const pdf = buildRawStreamPdf({
        contents: [
          {
            entries: '/Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 150000000 >>',
            data: flate(row),
          },
        ],
      });

      const error = await refusal(pdf);

      expect(error.code).toBe('DT_ERR_FILE_TOO_LARGE');
    },
    QUICKLY,
  );

  it('refuses a dictionary whose string holds another reading of it', async () => {
    // pdf.js starts an object wherever the xref table points, here at `5 0 obj`.
    const pdf = buildRawStreamPdf({
      contents: [
        { entries: '/A (5 0 obj << /Filter /LZWDecode /B 1 %) \n', data: lzw('Hidden', MIB) },
      ],
    });

    expect((await refusal(pdf)).code).toBe('DT_ERR_FILE_TOO_LARGE');
  });

  it('refuses a stream whose dictionary a comment may end early', async () => {
    const pdf = buildRawStreamPdf({
      contents: [
        {
          entries: '/Filter /LZWDecode % << /Filter /FlateDecode\n',
          data: lzw('Comment', MIB),
        },
      ],
    });

    expect((await refusal(pdf)).code).toBe('DT_ERR_FILE_TOO_LARGE');
  });
});

describe('PDF streams that are not bombs', () => {
  it('reads a page with a large Flate image, far past the ratio but within the cap', async () => {
    const pixels = flate(Buffer.alloc(2000 * 2000));
    const pdf = buildRawStreamPdf({
      contents: [
        {
          entries: '/Filter /FlateDecode',
          data: flate(
            Buffer.from(
              'q 400 0 0 400 100 200 cm /Im1 Do Q BT /F1 18 Tf 72 720 Td (Picture) Tj ET',
            ),
          ),
        },
      ],
      images: [
        {
          entries:
            '/Type /XObject /Subtype /Image /Width 2000 /Height 2000 ' +
            '/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode',
          data: pixels,
        },
      ],
    });
    expect(2000 * 2000).toBeGreaterThan(200 * pdf.byteLength);

    const { text } = await extractPdfText(pdf);

    expect(text).toContain('Picture');
  });

  it.each([
    [
      'ASCII85 around Flate, as ReportLab writes it',
      '/Filter [/ASCII85Decode /FlateDecode]',
      (data: Buffer) => ascii85(flate(data)),
      [],
    ],
    ['an indirect /Filter', '/Filter 5 0 R', (data: Buffer) => flate(data), ['/FlateDecode']],
  ])('reads a content stream compressed with %s', async (_how, entries, encode, objects) => {
    const content = drawnTextThenSpaces('Honest stream', 64 * 1024);
    const pdf = buildRawStreamPdf({ contents: [{ entries, data: encode(content) }], objects });

    const { text } = await extractPdfText(pdf);

    expect(text).toContain('Honest stream');
  });
});
