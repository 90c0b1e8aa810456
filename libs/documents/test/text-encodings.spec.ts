import { DOCUMENT_ERROR_HTTP_STATUS, extractDocument, textCharset } from '../src';
import { documentRejection } from './support/document-rejection';

// Found in an exploratory test of international documents: UTF-16 with a
// byte order mark (Notepad's and Excel's "Unicode text") was refused 415, and
// Latin-1 / Windows-1252 text was refused 422 as a "Damaged document".

const utf16le = (text: string) => new Uint8Array([0xff, 0xfe, ...Buffer.from(text, 'utf16le')]);
const utf16be = (text: string) =>
  new Uint8Array([0xfe, 0xff, ...Buffer.from(text, 'utf16le').swap16()]);
const fromHex = (hex: string) => new Uint8Array(Buffer.from(hex, 'hex'));
const latin1 = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));
const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

// Planted in refused inputs to prove error messages never quote the file.
const MARKER = 'SECRET-PAYLOAD-7f3a';

// Produced with iconv-lite and pasted as bytes, so the spec needs no encoder.
const SHIFT_JIS_NOTE = // 会議のメモ：来週の予定を確認してください。
  '89ef8b6382cc83818382814697888f5482cc975c92e882f08a6d944682b582c482ad82be82b382a281420a';
const SHIFT_JIS_NIHON = '93fa967b'; // 日本
const WINDOWS_1251_RUSSIAN = 'cff0e8e2e5f22c20ece8f02120ddf2ee20f2e5f1f22e0a'; // Привет, мир! Это тест.
const EUC_KR_GREETING = 'bec8b3e7c7cfbcbcbfe420bcbcb0e80a'; // 안녕하세요 세계
const GBK_SENTENCE = 'c4e3bac3a3accac0bde7a1a3d5e2cac7d2bbb8f6b2e2cad4a1a30a'; // 你好，世界。这是一个测试。
const EUC_JP_PRICE = '313030b1df0a'; // 100円

async function refused(bytes: Uint8Array, filename: string) {
  const withMarker = new Uint8Array([...bytes, ...Buffer.from(` ${MARKER}`)]);
  const error = await documentRejection(extractDocument({ bytes: withMarker, filename }));
  expect(error.message).not.toContain(MARKER);
  expect(error.status).toBe(DOCUMENT_ERROR_HTTP_STATUS[error.code]);
  return error;
}

describe('UTF-16 text with a byte order mark', () => {
  it.each([
    ['little-endian', utf16le],
    ['big-endian', utf16be],
  ])('reads %s text as text, line ends normalised', async (_order, encode) => {
    const document = await extractDocument({
      bytes: encode('Zürich – 東京 🚀\r\nsecond line\r\n'),
      filename: 'notes.txt',
    });

    expect(document).toMatchObject({
      fileType: 'txt',
      text: 'Zürich – 東京 🚀\nsecond line\n',
      title: 'notes',
    });
  });

  it('tells the text kind as for UTF-8: an Excel "Unicode text" CSV, HTML, JSON', async () => {
    const csv = await extractDocument({
      bytes: utf16le('name\tcity\r\nAda\tLondon\r\nJosé\tMálaga\r\n'),
      filename: 'people.csv',
    });
    const html = await extractDocument({
      bytes: utf16be('<!DOCTYPE html><title>Caf&eacute;</title><p>Grüße</p>'),
      filename: 'page.htm',
    });
    const json = await extractDocument({ bytes: utf16le('{"città": "Torino"}') });

    expect(csv).toMatchObject({ fileType: 'csv', text: 'name\tcity\nAda\tLondon\nJosé\tMálaga\n' });
    expect(html).toMatchObject({ fileType: 'html', title: 'Café', text: 'Grüße' });
    expect(json).toMatchObject({ fileType: 'json', text: '{"città": "Torino"}' });
  });

  it('counts the character limit on the decoded text, not the bytes', async () => {
    const accepted = await extractDocument(
      { bytes: utf16le('x'.repeat(100)), filename: 'a.txt' },
      { maxTextChars: 100 },
    );
    const error = await documentRejection(
      extractDocument(
        { bytes: utf16le('x'.repeat(101)), filename: 'a.txt' },
        { maxTextChars: 100 },
      ),
    );

    expect(accepted.text).toHaveLength(100);
    expect(error).toMatchObject({ code: 'DT_ERR_FILE_TOO_LARGE', limit: 'maxTextChars' });
  });

  it('refuses invalid UTF-16 behind the mark as damaged', async () => {
    const loneSurrogate = new Uint8Array([0xff, 0xfe, 0x41, 0x00, 0x00, 0xd8, 0x42, 0x00]);
    const oddLength = new Uint8Array([...utf16le('text'), 0x41]);

    for (const bytes of [loneSurrogate, oddLength]) {
      const error = await documentRejection(extractDocument({ bytes, filename: 'a.txt' }));
      expect(error.code).toBe('DT_ERR_CORRUPT_FILE');
      expect(error.message).toContain('UTF-16');
    }
  });

  it('refuses binary data behind the mark as before', async () => {
    const error = await refused(utf16le('\u0001\u0002\u0003\u0000 data'), 'data.txt');

    expect(error.code).toBe('DT_ERR_UNSUPPORTED_TYPE');
    expect(error.message).toContain('binary data');
  });

  it('still refuses UTF-16 without a byte order mark, and UTF-32', async () => {
    const withoutMark = await refused(new Uint8Array(Buffer.from('hello', 'utf16le')), 'a.txt');
    const utf32 = await refused(
      new Uint8Array([0xff, 0xfe, 0x00, 0x00, 0x68, 0x00, 0x00, 0x00]),
      'a.txt',
    );

    expect(withoutMark.code).toBe('DT_ERR_UNSUPPORTED_TYPE');
    expect(utf32).toMatchObject({
      code: 'DT_ERR_UNSUPPORTED_TYPE',
      message: expect.stringContaining('UTF-8'),
    });
  });
});

describe('Windows-1252 (Latin-1) text', () => {
  it.each([
    ['menu.txt', 'txt'],
    ['menu.md', 'md'],
  ])('reads %s as Windows-1252 when it is not UTF-8', async (filename, fileType) => {
    const document = await extractDocument({
      bytes: latin1('Caf\u00e9 cr\u00e8me.\r\nGr\u00f6\u00dfe: a\u00e7\u00e3o, \u00e0 la carte.\n'),
      filename,
    });

    expect(document).toMatchObject({
      fileType,
      text: 'Café crème.\nGröße: ação, à la carte.\n',
    });
  });

  // Review: "É" and a no-break space happen to be a valid UTF-8 pair.
  it('reads a short Windows-1252 text whose bytes hold one chance UTF-8 sequence', async () => {
    const document = await extractDocument({
      bytes: latin1('CAF\u00c9\u00a0\u00bb\n'),
      filename: 'sign.txt',
    });
    expect(document.text).toBe('CAFÉ\u00a0»\n');
  });

  it('maps the bytes 0x80 to 0x9F as Windows-1252 does, not as C1 controls', async () => {
    // “Smart quotes” – an en dash… and € 5, as Word and Excel write them.
    const bytes = latin1('\u0093Smart quotes\u0094 \u0096 an en dash\u0085 and \u0080 5\n');
    const document = await extractDocument({ bytes, filename: 'quotes.txt' });

    expect(document.text).toBe('“Smart quotes” – an en dash… and € 5\n');
  });

  it('reads a Windows-1252 CSV as CSV', async () => {
    const document = await extractDocument({
      bytes: latin1('Name;Stadt\r\nJ\u00fcrgen;M\u00fcnchen\r\nZo\u00eb;K\u00f6ln\r\n'),
      filename: 'kunden.csv',
    });

    expect(document).toMatchObject({
      fileType: 'csv',
      text: 'Name;Stadt\nJürgen;München\nZoë;Köln\n',
    });
  });

  it('reads an HTML page that declares Windows-1252 or ISO-8859-1 in a <meta>', async () => {
    // Capitals standing alone: not plausible Western text without the declaration.
    const body = '<title>\u00c6\u00d8\u00c5 Caf\u00e9</title><p>\u00c6\u00d8\u00c5</p>';
    const charset = await extractDocument({
      bytes: latin1(`<html><head><meta charset="windows-1252">${body}`),
      filename: 'page.html',
    });
    const httpEquiv = await extractDocument({
      bytes: latin1(
        `<html><head><meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">${body}`,
      ),
      filename: 'page.html',
    });
    const undeclared = await refused(latin1(`<html><head>${body}`), 'page.html');

    expect(charset).toMatchObject({ fileType: 'html', title: 'ÆØÅ Café', text: 'ÆØÅ' });
    expect(httpEquiv).toMatchObject({ title: 'ÆØÅ Café', text: 'ÆØÅ' });
    expect(undeclared.code).toBe('DT_ERR_UNSUPPORTED_TYPE');
  });

  it('keeps valid UTF-8 as UTF-8 whatever a <meta> declares', async () => {
    const document = await extractDocument({
      bytes: utf8('<html><head><meta charset="iso-8859-1"><title>Café</title><p>crème</p>'),
      filename: 'page.html',
    });

    expect(document).toMatchObject({ title: 'Café', text: 'crème' });
  });
});

describe('text in an encoding that cannot be told', () => {
  it.each([
    ['Shift-JIS', SHIFT_JIS_NOTE],
    ['a Shift-JIS word alone', SHIFT_JIS_NIHON],
    ['Windows-1251 Russian', WINDOWS_1251_RUSSIAN],
    ['EUC-KR Korean', EUC_KR_GREETING],
    ['GBK Chinese', GBK_SENTENCE],
    ['one EUC-JP character among ASCII', EUC_JP_PRICE],
    ['Windows-1250 Polish', Buffer.from('By\u00b3o mi\u00b3o.\n', 'latin1').toString('hex')],
  ])(
    'refuses %s clearly (415, save as UTF-8) instead of producing mojibake',
    async (_name, hex) => {
      const error = await refused(fromHex(hex), 'notes.txt');

      expect(error).toMatchObject({ code: 'DT_ERR_UNSUPPORTED_TYPE', status: 415 });
      expect(error.message).toMatch(/encoding/);
      expect(error.message).toContain('UTF-8');
    },
  );

  it('refuses an HTML page that declares another encoding', async () => {
    const page = Buffer.concat([
      Buffer.from('<html><head><meta charset="Shift_JIS"><title>'),
      Buffer.from(SHIFT_JIS_NIHON, 'hex'),
      Buffer.from('</title>'),
    ]);
    const error = await refused(new Uint8Array(page), 'page.html');

    expect(error.code).toBe('DT_ERR_UNSUPPORTED_TYPE');
    expect(error.message).toContain('UTF-8');
  });

  it('refuses UTF-8 with invalid bytes in it as damaged, not as Windows-1252 mojibake', async () => {
    const bytes = new Uint8Array([...utf8('Zürich café, naïve résumé '), 0xe9, ...utf8('.\n')]);
    const error = await refused(bytes, 'notes.txt');

    expect(error.code).toBe('DT_ERR_CORRUPT_FILE');
    expect(error.message).toContain('UTF-8');
  });
});

describe('textCharset', () => {
  it('names the encoding extraction read the bytes in, for a download', () => {
    expect(textCharset(utf8('Café'))).toBe('utf-8');
    expect(textCharset(utf8('plain ASCII'))).toBe('utf-8');
    expect(textCharset(utf16le('Café'))).toBe('utf-16');
    expect(textCharset(utf16be('Café'))).toBe('utf-16');
    expect(textCharset(latin1('Caf\u00e9 cr\u00e8me.\n'))).toBe('windows-1252');
    expect(textCharset(latin1('<meta charset="latin1"><p>\u00c6\u00d8\u00c5</p>'))).toBe(
      'windows-1252',
    );
  });

  it('names none for bytes it cannot tell or would refuse', () => {
    expect(textCharset(fromHex(SHIFT_JIS_NOTE))).toBeUndefined();
    expect(textCharset(new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x00, 0x01]))).toBeUndefined();
  });
});
