import { extractDocument, sanitizeFilename } from '../src';

describe('sanitizeFilename', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['/etc/shadow', 'shadow'],
    ['C:\\Users\\ada\\Desktop\\report.pdf', 'report.pdf'],
    ['..\\..\\windows\\system32\\config', 'config'],
    ['..', 'document'],
    ['', 'document'],
    ['   ', 'document'],
    ['.htaccess', 'htaccess'],
    ['report.pdf.   ', 'report.pdf'],
    ['evil\u0000.pdf.exe', 'evil.pdf.exe'],
    ['line\nbreak\r\ttab.txt', 'linebreaktab.txt'],
    ['invoice\u202efdp.exe', 'invoicefdp.exe'],
    ['a<b>c:"d"|e?f*.txt', 'a_b_c__d__e_f_.txt'],
    ['CON.txt', '_CON.txt'],
    ['  many   spaces  .md', 'many spaces .md'],
  ])('%j becomes %j', (input, expected) => {
    expect(sanitizeFilename(input)).toBe(expected);
  });

  it('normalises Unicode to NFC so equal names compare equal', () => {
    const decomposed = 'Re\u0301sume\u0301.pdf';

    expect(sanitizeFilename(decomposed)).toBe('R\u00e9sum\u00e9.pdf');
    expect(sanitizeFilename(decomposed)).toBe(sanitizeFilename('R\u00e9sum\u00e9.pdf'));
  });

  it('keeps non-Latin names intact', () => {
    expect(sanitizeFilename('報告書 2026.docx')).toBe('報告書 2026.docx');
    expect(sanitizeFilename('📄 notes.md')).toBe('📄 notes.md');
  });

  it('caps the length in UTF-8 bytes without splitting a character or losing the extension', () => {
    const long = `${'日本'.repeat(100)}.pdf`;
    const capped = sanitizeFilename(long);

    expect(Buffer.byteLength(capped)).toBeLessThanOrEqual(255);
    expect(capped.endsWith('.pdf')).toBe(true);
    expect(capped).not.toContain('\ufffd');
    expect(capped.startsWith('日本日本')).toBe(true);
  });

  it('accepts a smaller cap and a custom fallback', () => {
    expect(sanitizeFilename('abcdefghij.txt', { maxBytes: 8 })).toBe('abcd.txt');
    expect(sanitizeFilename('../', { fallback: 'upload' })).toBe('upload');
  });
});

describe('file names given to extractDocument', () => {
  const text = new Uint8Array(Buffer.from('hello'));

  it('reports the sanitized name and titles the document by it', async () => {
    const document = await extractDocument({ bytes: text, filename: '../../etc/passwd' });

    expect(document).toMatchObject({ filename: 'passwd', title: 'passwd', fileType: 'txt' });
  });

  it('titles by a Unicode file name in NFC', async () => {
    const document = await extractDocument({ bytes: text, filename: 'Cafe\u0301 menu.txt' });

    expect(document.filename).toBe('Caf\u00e9 menu.txt');
    expect(document.title).toBe('Caf\u00e9 menu');
  });
});
