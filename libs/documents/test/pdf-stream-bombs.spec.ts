import { extractDocument, extractPdfText } from '../src';
import { buildFlatePdf } from './support/build-pdf';
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
