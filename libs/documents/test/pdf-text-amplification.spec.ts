import { MAX_TEXT_CHARS } from '@docuthinker/contracts';
import { extractDocument, extractPdfText } from '../src';
import { PAGES_READ_AT_ONCE } from '../src/extract-pdf-text';
import { buildPdf, buildSharedContentPdf } from './support/build-pdf';
import { documentRejection } from './support/document-rejection';

// Read in full, these files hold pdf.js for minutes (the first one for
// 20 s per upload in the backend's extraction pool); refused early they take
// well under a second. The bound only catches a full read, with room for a
// busy machine.
const QUICKLY = 20_000;

// The module object the library calls into; an `import * as` namespace
// would be a copy, and spying on it would not be seen by the library.
const unpdf = jest.requireActual<typeof import('unpdf')>('unpdf');

/** Counts the pages pdf.js is asked for, to show where extraction stopped. */
let pagesRead = 0;

beforeEach(() => {
  pagesRead = 0;
  const openDocument = unpdf.getDocumentProxy;
  jest.spyOn(unpdf, 'getDocumentProxy').mockImplementation(async (...args) => {
    const pdf = await openDocument(...args);
    const getPage = pdf.getPage.bind(pdf);
    jest.spyOn(pdf, 'getPage').mockImplementation((pageNumber) => {
      pagesRead += 1;
      return getPage(pageNumber);
    });
    return pdf;
  });
});
afterEach(() => jest.restoreAllMocks());

describe('PDF text amplified by shared content', () => {
  // Loading pdf.js takes seconds on a busy machine; done once here so the
  // bounds below measure the hostile input, not module loading.
  beforeAll(() => extractPdfText(buildPdf({ pageTexts: ['warm-up'] })));

  it(
    'refuses 2,000 pages sharing one content stream once the text passes the limit',
    async () => {
      // The reviewed attack: every page draws the same 50,000 characters,
      // 100 million in all, from a file of a few KB that passes every guard.
      const pdf = buildSharedContentPdf({ pageCount: 2000, wordsPerPage: 10_000 });
      expect(pdf.byteLength).toBeLessThan(16 * 1024);

      const error = await documentRejection(extractDocument({ bytes: pdf, filename: 'amp.pdf' }));

      expect(error).toMatchObject({
        code: 'DT_ERR_FILE_TOO_LARGE',
        status: 413,
        limit: 'maxTextChars',
      });
      expect(error.message).toContain('2,000,000 characters');
      // 40 pages hold 1,999,999 merged characters; the 41st passes the limit,
      // read with the pages of its batch.
      expect(pagesRead).toBeLessThan(Math.ceil(MAX_TEXT_CHARS / 50_000) + 1 + PAGES_READ_AT_ONCE);
    },
    QUICKLY,
  );

  it(
    'refuses one page listing a content stream many times while that page is read',
    async () => {
      // 2,000 listings of 5,000 characters: 10 million on a single page.
      const pdf = buildSharedContentPdf({
        pageCount: 1,
        wordsPerPage: 1000,
        streamsPerPage: 2000,
      });

      const error = await documentRejection(extractPdfText(pdf));

      expect(error).toMatchObject({ code: 'DT_ERR_FILE_TOO_LARGE', limit: 'maxTextChars' });
      expect(pagesRead).toBe(1);
    },
    QUICKLY,
  );
});

describe('maxTextChars while a PDF is read', () => {
  it('is measured on the merged text, page breaks included', async () => {
    const pdf = buildPdf({ pageTexts: ['alpha beta', 'gamma'] });

    await expect(extractPdfText(pdf, { maxTextChars: 16 })).resolves.toMatchObject({
      text: 'alpha beta\ngamma',
      pages: 2,
    });
    const error = await documentRejection(extractPdfText(pdf, { maxTextChars: 15 }));
    expect(error).toMatchObject({ code: 'DT_ERR_FILE_TOO_LARGE', limit: 'maxTextChars' });
  });

  it('does not count whitespace that merging collapses', async () => {
    // 19 characters as drawn, 6 once merged.
    const pdf = buildPdf({ pageTexts: ['a        b', '   ', 'c   '] });

    await expect(extractPdfText(pdf, { maxTextChars: 6 })).resolves.toMatchObject({
      text: 'a b\n\nc',
    });
  });

  it('stops with the batch of the first page past a configured limit', async () => {
    const words = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight'];
    const pdf = buildPdf({ pageTexts: [...words, ...words, ...words] });

    const error = await documentRejection(
      extractDocument({ bytes: pdf, filename: 'many.pdf' }, { maxTextChars: 8 }),
    );

    expect(error).toMatchObject({ code: 'DT_ERR_FILE_TOO_LARGE', limit: 'maxTextChars' });
    // "one", "two" and "three" pass 8 characters in the first batch: the
    // other 16 pages are never read.
    expect(pagesRead).toBe(PAGES_READ_AT_ONCE);
  });
});
