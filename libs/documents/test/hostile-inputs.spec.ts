import { randomBytes } from 'node:crypto';
import JSZip from 'jszip';
import { MAX_TEXT_CHARS } from '@docuthinker/contracts';
import {
  DEFAULT_DOCUMENT_LIMITS,
  DOCUMENT_ERROR_HTTP_STATUS,
  extractDocument,
  extractPdfText,
  type DocumentLimits,
} from '../src';
import { buildDocx, WORDPROCESSING_NAMESPACE } from './support/build-docx';
import { buildPageTreeBombPdf, buildPdf } from './support/build-pdf';
import { buildZip } from './support/build-zip';
import { readCorpusFile } from './support/corpus';
import { documentRejection } from './support/document-rejection';

const MIB = 1024 * 1024;
// Each hostile input must be refused quickly; a hang or a slow parse fails
// the test on this bound rather than at jest's default timeout.
const QUICKLY = 5_000;
// Planted in hostile inputs to prove error messages never quote the file.
const MARKER = 'SECRET-PAYLOAD-7f3a';
const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

async function rejected(bytes: Uint8Array, filename?: string, limits?: Partial<DocumentLimits>) {
  const error = await documentRejection(
    extractDocument({ bytes, ...(filename === undefined ? {} : { filename }) }, limits),
  );
  expect(error.message).not.toContain(MARKER);
  expect(error.status).toBe(DOCUMENT_ERROR_HTTP_STATUS[error.code]);
  return error;
}

describe('size limits', () => {
  it('refuses an empty upload', async () => {
    expect((await rejected(new Uint8Array(), 'empty.txt')).code).toBe('DT_ERR_EMPTY_DOCUMENT');
  });

  it('refuses whitespace-only text', async () => {
    expect((await rejected(utf8(' \n\t\n'), 'blank.txt')).code).toBe('DT_ERR_EMPTY_DOCUMENT');
  });

  it(
    'refuses a file over the default 25 MB before reading it',
    async () => {
      const error = await rejected(new Uint8Array(25 * MIB + 1), 'huge.txt');

      expect(error).toMatchObject({
        code: 'DT_ERR_FILE_TOO_LARGE',
        status: 413,
        limit: 'maxBytes',
      });
      expect(error.message).toBe('The file is larger than the 25 MB upload limit.');
    },
    QUICKLY,
  );

  it('honours a configured byte limit', async () => {
    const error = await rejected(utf8(`${MARKER} `.repeat(200)), 'notes.txt', { maxBytes: 1024 });

    expect(error).toMatchObject({ code: 'DT_ERR_FILE_TOO_LARGE', limit: 'maxBytes' });
  });

  it('refuses extracted text longer than maxTextChars', async () => {
    const error = await rejected(utf8(`${MARKER} `.repeat(100)), 'notes.txt', {
      maxTextChars: 500,
    });

    expect(error).toMatchObject({ code: 'DT_ERR_FILE_TOO_LARGE', limit: 'maxTextChars' });
  });

  // A longer text would be stored and then fail every index and AI call.
  it('refuses by default a text longer than the AI/ML gateway takes', async () => {
    const longest = 'word '.repeat(MAX_TEXT_CHARS / 5);
    const accepted = await extractDocument({ bytes: utf8(longest), filename: 'long.txt' });
    expect(accepted.text).toHaveLength(MAX_TEXT_CHARS);
    const error = await rejected(utf8(`${longest}x`), 'longer.txt');
    expect(error).toMatchObject({ code: 'DT_ERR_FILE_TOO_LARGE', limit: 'maxTextChars' });
    expect(error.message).toContain('2,000,000 characters');
  });

  it('rejects nonsensical limits as a programming error', async () => {
    await expect(extractDocument({ bytes: utf8('x') }, { maxBytes: -1 })).rejects.toThrow(
      RangeError,
    );
  });
});

describe('unsupported and mislabelled content', () => {
  it('refuses binary data named .txt as an unsupported type', async () => {
    const binary = new Uint8Array(4096).map((_, index) => index % 256);
    // The name is not echoed either.
    const error = await rejected(binary, `readme-${MARKER}.txt`);

    expect(error).toMatchObject({ code: 'DT_ERR_UNSUPPORTED_TYPE', status: 415 });
  });

  it('refuses an image named .txt, naming what it is', async () => {
    // Header, a 1×1 logical screen and the trailer byte.
    const gif = new Uint8Array([...Buffer.from('GIF89a'), 1, 0, 1, 0, 0, 0, 0, 0x3b]);
    const error = await rejected(gif, 'notes.txt');

    expect(error.code).toBe('DT_ERR_UNSUPPORTED_TYPE');
    expect(error.message).toContain('image/gif');
  });

  it('refuses text-based formats that are not readable documents', async () => {
    const rtf = await rejected(utf8(`{\\rtf1\\ansi ${MARKER}}`), 'letter.txt');
    const postscript = await rejected(utf8(`%!PS-Adobe-3.0\n${MARKER}`), 'page.txt');

    expect(rtf).toMatchObject({
      code: 'DT_ERR_UNSUPPORTED_TYPE',
      message: expect.stringContaining('application/rtf'),
    });
    expect(postscript.code).toBe('DT_ERR_UNSUPPORTED_TYPE');
  });

  it('refuses plain XML unless it is named as HTML or text', async () => {
    const xml = utf8(`<?xml version="1.0"?><note>${MARKER}</note>`);

    expect((await rejected(xml, 'note.xml')).code).toBe('DT_ERR_UNSUPPORTED_TYPE');
    expect((await extractDocument({ bytes: xml, filename: 'note.txt' })).fileType).toBe('txt');
  });

  it('refuses a plain zip archive', async () => {
    const zip = buildZip([{ name: 'notes.txt', content: MARKER }]);

    expect((await rejected(zip, 'archive.zip')).code).toBe('DT_ERR_UNSUPPORTED_TYPE');
  });

  it('refuses a zip named .docx as a damaged document', async () => {
    const zip = buildZip([{ name: 'notes.txt', content: MARKER }]);

    expect((await rejected(zip, 'report.docx')).code).toBe('DT_ERR_CORRUPT_FILE');
  });

  it('refuses a legacy .doc (OLE compound file) as unsupported', async () => {
    const compoundFile = new Uint8Array(1536);
    compoundFile.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

    expect((await rejected(compoundFile, 'old.doc')).code).toBe('DT_ERR_UNSUPPORTED_TYPE');
  });

  // Text in another encoding is read (UTF-16 with a byte order mark,
  // Windows-1252) or refused as such (text-encodings.spec.ts); UTF-8 with
  // invalid bytes in it is damaged.
  it('refuses UTF-8 text with invalid bytes in it as corrupt', async () => {
    const damaged = new Uint8Array([...utf8(`Caf\u00e9 ${MARKER}`), 0xe9]);
    const error = await rejected(damaged, 'menu.txt');

    expect(error.code).toBe('DT_ERR_CORRUPT_FILE');
    expect(error.message).toContain('UTF-8');
  });

  it('refuses UTF-16 text without a byte order mark as binary data', async () => {
    const utf16 = new Uint8Array(Buffer.from(`hello ${MARKER}`, 'utf16le'));
    const error = await rejected(utf16, 'notes.txt');

    expect(error.code).toBe('DT_ERR_UNSUPPORTED_TYPE');
  });

  it('refuses binary bytes that only claim to be a PDF as corrupt', async () => {
    const garbage = new Uint8Array(2048).map((_, index) => (index * 7) % 256);

    expect((await rejected(garbage, 'invoice.pdf')).code).toBe('DT_ERR_CORRUPT_FILE');
  });
});

describe('hostile JSON', () => {
  it(
    'refuses deeply nested JSON quickly as corrupt',
    async () => {
      const depth = 1_000_000;
      const nested = utf8(`${'['.repeat(depth)}"${MARKER}"${']'.repeat(depth)}`);
      const error = await rejected(nested, 'data.json');

      expect(error.code).toBe('DT_ERR_CORRUPT_FILE');
      expect(error.message).toContain('nested more than 64 levels');
    },
    QUICKLY,
  );

  it('accepts nesting up to the limit', async () => {
    const document = await extractDocument({
      bytes: utf8(`${'['.repeat(64)}1${']'.repeat(64)}`),
      filename: 'ok.json',
    });

    expect(document.fileType).toBe('json');
  });

  it('refuses malformed JSON without quoting it', async () => {
    const error = await rejected(utf8(`{"key": ${MARKER}}`), 'data.json');

    expect(error).toMatchObject({
      code: 'DT_ERR_CORRUPT_FILE',
      message: 'The file is not valid JSON.',
    });
  });
});

describe('hostile PDFs', () => {
  // Loading pdf.js takes seconds on a busy machine; do it once here so the
  // time bounds below measure the hostile input, not module loading.
  beforeAll(() => extractPdfText(buildPdf({ pageTexts: ['warm-up'] })));

  it(
    'refuses a truncated PDF as corrupt',
    async () => {
      const sample = readCorpusFile('shared-mime-info-spec.pdf');
      const error = await rejected(sample.subarray(0, Math.floor(sample.length / 2)), 'spec.pdf');

      expect(error).toMatchObject({ code: 'DT_ERR_CORRUPT_FILE', status: 422 });
    },
    QUICKLY,
  );

  it('refuses a PDF header followed by garbage as corrupt', async () => {
    expect((await rejected(utf8(`%PDF-1.7\n${MARKER}\n`), 'x.pdf')).code).toBe(
      'DT_ERR_CORRUPT_FILE',
    );
  });

  it(
    'refuses a password-protected PDF as encrypted',
    async () => {
      const error = await rejected(
        buildPdf({ pageTexts: [MARKER], passwordProtected: true }),
        'locked.pdf',
      );

      expect(error).toMatchObject({ code: 'DT_ERR_ENCRYPTED_FILE', status: 422 });
    },
    QUICKLY,
  );

  it(
    'refuses a page tree that expands to a million pages before reading any',
    async () => {
      const bomb = buildPageTreeBombPdf(6, 10);
      expect(bomb.byteLength).toBeLessThan(2048);

      const error = await rejected(bomb, 'bomb.pdf');

      expect(error).toMatchObject({ code: 'DT_ERR_FILE_TOO_LARGE', limit: 'maxPages' });
      expect(error.message).toBe('The PDF has 1000000 pages; at most 2000 are accepted.');
    },
    QUICKLY,
  );

  it(
    'does not trust a page count the page tree cannot back up',
    async () => {
      const liar = buildPdf({ pageTexts: ['Only page'], claimedPageCount: 1_000_000 });
      const document = await extractDocument({ bytes: liar, filename: 'liar.pdf' });

      expect(document).toMatchObject({ fileType: 'pdf', pages: 1, text: 'Only page' });
    },
    QUICKLY,
  );

  it('honours a configured page limit', async () => {
    const threePages = buildPdf({ pageTexts: ['one', 'two', 'three'] });

    expect((await rejected(threePages, 'three.pdf', { maxPages: 2 })).limit).toBe('maxPages');
    expect((await extractDocument({ bytes: threePages }, { maxPages: 3 })).pages).toBe(3);
  });

  it('refuses a PDF without a text layer as empty, suggesting OCR', async () => {
    const error = await rejected(buildPdf({ pageTexts: [''] }), 'scan.pdf');

    expect(error.code).toBe('DT_ERR_EMPTY_DOCUMENT');
    expect(error.message).toContain('OCR');
  });
});

describe('hostile DOCX archives', () => {
  // Built once, outside the time bounds: most of the cost is the CRC of a gibibyte of zeros.
  let honestBomb: Uint8Array;
  let lyingBomb: Uint8Array;
  beforeAll(() => {
    honestBomb = buildDocx({
      paragraphs: ['Looks like a letter'],
      extraEntries: [{ name: 'word/media/padding.bin', zeroBytes: 1024 * MIB }],
    });
    lyingBomb = buildDocx({
      paragraphs: ['Looks small'],
      extraEntries: [{ name: 'word/media/tiny.bin', zeroBytes: 256 * MIB, declaredSize: 10 }],
    });
  });

  it(
    'refuses a 1 GiB zip bomb from the sizes it declares, before inflating it',
    async () => {
      expect(honestBomb.byteLength).toBeLessThan(2 * MIB);

      const error = await rejected(honestBomb, 'letter.docx');

      expect(error).toMatchObject({
        code: 'DT_ERR_FILE_TOO_LARGE',
        status: 413,
        limit: 'maxUncompressedBytes',
      });
    },
    QUICKLY,
  );

  it(
    'counts inflated bytes instead of trusting declared sizes, stopping at 200 times the upload',
    async () => {
      const error = await rejected(lyingBomb, 'small.docx');

      expect(error).toMatchObject({ code: 'DT_ERR_FILE_TOO_LARGE', limit: 'maxCompressionRatio' });
    },
    QUICKLY,
  );

  it(
    'refuses a document that expands past maxUncompressedBytes',
    async () => {
      const incompressible = randomBytes(3 * MIB);
      const docx = buildDocx({
        paragraphs: ['Photo album'],
        extraEntries: [{ name: 'word/media/photo.bin', content: incompressible }],
      });

      const error = await rejected(docx, 'album.docx', { maxUncompressedBytes: 2 * MIB });

      expect(error).toMatchObject({ code: 'DT_ERR_FILE_TOO_LARGE', limit: 'maxUncompressedBytes' });
    },
    QUICKLY,
  );

  it('reads a DOCX that holds an empty part', async () => {
    const docx = buildDocx({
      paragraphs: ['A letter with an empty part'],
      extraEntries: [{ name: 'word/empty.xml', content: '' }],
    });

    await expect(extractDocument({ bytes: docx, filename: 'letter.docx' })).resolves.toMatchObject({
      text: expect.stringContaining('A letter with an empty part'),
    });
  });

  it(
    'reads a part that declares 0 bytes as empty, without inflating what it carries',
    async () => {
      const docx = buildDocx({
        paragraphs: ['Says it is empty'],
        extraEntries: [{ name: 'word/media/none.bin', zeroBytes: 256 * MIB, declaredSize: 0 }],
      });

      await expect(extractDocument({ bytes: docx, filename: 'empty.docx' })).resolves.toMatchObject(
        { text: expect.stringContaining('Says it is empty') },
      );
    },
    QUICKLY,
  );

  it('refuses an archive with too many parts', async () => {
    const parts = Array.from({ length: 50 }, (_, index) => ({
      name: `word/part${index}.xml`,
      content: '<x/>',
    }));
    const docx = buildDocx({ paragraphs: ['Many parts'], extraEntries: parts });

    expect((await rejected(docx, 'parts.docx', { maxArchiveEntries: 20 })).limit).toBe(
      'maxArchiveEntries',
    );
  });

  describe('entry count, read before JSZip parses the archive', () => {
    const limit = DEFAULT_DOCUMENT_LIMITS.maxArchiveEntries;
    let crowded: Uint8Array;
    let loadAsync: jest.SpiedFunction<typeof JSZip.loadAsync>;
    beforeAll(() => {
      crowded = buildDocx({
        paragraphs: ['Many parts'],
        extraEntries: Array.from({ length: limit + 1 }, (_, index) => ({ name: `p/${index}` })),
      });
    });
    // Timing would not show where the archive was refused; whether JSZip was
    // asked to parse it does.
    beforeEach(() => {
      loadAsync = jest.spyOn(JSZip, 'loadAsync');
    });
    afterEach(() => loadAsync.mockRestore());

    it('refuses more entries than the limit from the end-of-central-directory record', async () => {
      const error = await rejected(crowded, 'parts.docx');

      expect(error).toMatchObject({
        code: 'DT_ERR_FILE_TOO_LARGE',
        status: 413,
        limit: 'maxArchiveEntries',
      });
      expect(error.message).toBe(`The document holds more than ${limit} parts and was rejected.`);
      expect(loadAsync).not.toHaveBeenCalled();
    });

    it('counts the central-directory headers when the declared count lies', async () => {
      const lying = withEndRecord(crowded, (end) => {
        end.writeUInt16LE(1, 8);
        end.writeUInt16LE(1, 10);
      });

      expect((await rejected(lying, 'parts.docx')).limit).toBe('maxArchiveEntries');
      expect(loadAsync).not.toHaveBeenCalled();
    });

    it('reads the 64-bit count of a ZIP64 archive', async () => {
      const docx = buildDocx({ paragraphs: ['Small, but claims billions of parts'] });

      const error = await rejected(withZip64Count(docx, 2n ** 32n + 1n), 'zip64.docx');

      expect(error).toMatchObject({ code: 'DT_ERR_FILE_TOO_LARGE', limit: 'maxArchiveEntries' });
      expect(loadAsync).not.toHaveBeenCalled();
    });

    it('accepts a ZIP64 archive within the limit', async () => {
      const docx = buildDocx({ paragraphs: ['Written as ZIP64'] });
      const entries = Buffer.from(docx).readUInt16LE(docx.byteLength - 22 + 10);

      const extracted = await extractDocument({
        bytes: withZip64Count(docx, BigInt(entries)),
        filename: 'zip64.docx',
      });

      expect(extracted.text).toContain('Written as ZIP64');
    });

    it('leaves an archive whose ZIP64 record is missing to JSZip, which calls it damaged', async () => {
      const docx = buildDocx({ paragraphs: ['fine'] });
      const garbled = withEndRecord(docx, (end) => end.writeUInt16LE(0xffff, 10));

      expect((await rejected(garbled, 'garbled.docx')).code).toBe('DT_ERR_CORRUPT_FILE');
      expect(loadAsync).toHaveBeenCalled();
    });
  });

  it('refuses a DOCX whose parts use zip encryption as encrypted', async () => {
    const docx = buildZip([{ name: 'word/document.xml', content: MARKER, encrypted: true }]);

    expect((await rejected(docx, 'locked.docx')).code).toBe('DT_ERR_ENCRYPTED_FILE');
  });

  it('refuses a password-protected Office document as encrypted', async () => {
    // Word stores a password-protected DOCX as an OLE compound file with an
    // "EncryptedPackage" stream (MS-OFFCRYPTO); the header and that stream
    // name are what identify it, so the rest of the container is left out.
    const container = new Uint8Array(2048);
    container.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
    container.set(Buffer.from('EncryptedPackage', 'utf16le'), 1024);

    const error = await rejected(container, 'locked.docx');

    expect(error).toMatchObject({ code: 'DT_ERR_ENCRYPTED_FILE', status: 422 });
  });

  it(
    'refuses an XML entity bomb ("billion laughs") in the document part quickly',
    async () => {
      let entities = `<!ENTITY lol0 "${MARKER}">`;
      for (let level = 1; level <= 9; level += 1) {
        entities += `<!ENTITY lol${level} "${`&lol${level - 1};`.repeat(10)}">`;
      }
      const documentXml =
        `<?xml version="1.0"?><!DOCTYPE w:document [${entities}]>` +
        `<w:document xmlns:w="${WORDPROCESSING_NAMESPACE}"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>`;

      const error = await rejected(buildDocx({ documentXml }), 'laughs.docx');

      expect(error.code).toBe('DT_ERR_CORRUPT_FILE');
    },
    QUICKLY,
  );

  it('refuses a DOCX with a damaged part as corrupt', async () => {
    const docx = buildDocx({ paragraphs: ['fine'] });
    const damaged = docx.slice();
    // Flip bytes inside the deflated document part, after its local header.
    const documentPart = Buffer.from(damaged).indexOf('word/document.xml');
    for (let index = documentPart + 20; index < documentPart + 40; index += 1)
      damaged[index] = 0xff;

    expect((await rejected(damaged, 'broken.docx')).code).toBe('DT_ERR_CORRUPT_FILE');
  });

  it('refuses a truncated DOCX as corrupt', async () => {
    const sample = readCorpusFile('bsd.docx');

    expect((await rejected(sample.subarray(0, 4000), 'bsd.docx')).code).toBe('DT_ERR_CORRUPT_FILE');
  });
});

/** A copy of a zip built by buildZip (no comment) with its end record edited. */
function withEndRecord(zip: Uint8Array, edit: (end: Buffer) => void): Uint8Array {
  const copy = Buffer.from(zip);
  edit(copy.subarray(copy.length - 22));
  return new Uint8Array(copy);
}

/**
 * Rewrites a zip built by buildZip as ZIP64: a ZIP64 end record declaring
 * `entries` and its locator go before the end record, whose entry counts are
 * saturated to 0xFFFF so readers look for them.
 */
function withZip64Count(zip: Uint8Array, entries: bigint): Uint8Array {
  const bytes = Buffer.from(zip);
  const endAt = bytes.length - 22;
  const end = Buffer.from(bytes.subarray(endAt));
  const centralSize = end.readUInt32LE(12);
  const centralOffset = end.readUInt32LE(16);

  const zip64End = Buffer.alloc(56);
  zip64End.writeUInt32LE(0x06064b50, 0);
  zip64End.writeBigUInt64LE(44n, 4);
  zip64End.writeUInt16LE(45, 12);
  zip64End.writeUInt16LE(45, 14);
  zip64End.writeBigUInt64LE(entries, 24);
  zip64End.writeBigUInt64LE(entries, 32);
  zip64End.writeBigUInt64LE(BigInt(centralSize), 40);
  zip64End.writeBigUInt64LE(BigInt(centralOffset), 48);

  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(endAt), 8);
  locator.writeUInt32LE(1, 16);

  end.writeUInt16LE(0xffff, 8);
  end.writeUInt16LE(0xffff, 10);
  return new Uint8Array(Buffer.concat([bytes.subarray(0, endAt), zip64End, locator, end]));
}
