import { createHash } from 'node:crypto';
import { extractDocument, extractPdfText } from '../src';
import { buildPdf } from './support/build-pdf';
import { readCorpusFile } from './support/corpus';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('extractDocument on the sample corpus', () => {
  it('reads every page of the PDF specification', async () => {
    const bytes = readCorpusFile('shared-mime-info-spec.pdf');
    const document = await extractDocument({ bytes, filename: 'shared-mime-info-spec.pdf' });

    expect(document).toMatchObject({
      fileType: 'pdf',
      mimeType: 'application/pdf',
      pages: 17,
      size: bytes.byteLength,
      contentHash: sha256(bytes),
      // The PDF's Title entry is empty, so the file name is the title.
      title: 'shared-mime-info-spec',
      filename: 'shared-mime-info-spec.pdf',
    });
    expect(document.text).toContain('Shared MIME-info Database');
    expect(document.text).toContain('X Desktop Group');
    // Text from the last page as well as the first.
    expect(document.text).toContain('freedesktop.org');
    expect(document.text.length).toBeGreaterThan(30_000);
    expect(document.html).toBeUndefined();
  });

  it('converts the DOCX to text and HTML', async () => {
    const bytes = readCorpusFile('bsd.docx');
    const document = await extractDocument({ bytes, filename: 'bsd.docx' });

    expect(document).toMatchObject({
      fileType: 'docx',
      mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      // The document's first Heading 1 outranks the file name.
      title: 'BSD License',
      contentHash: sha256(bytes),
      size: bytes.byteLength,
    });
    expect(document.pages).toBeUndefined();
    expect(document.text).toContain('Redistribution and use in source and binary forms');
    expect(document.text).toContain('THIS SOFTWARE IS PROVIDED BY THE REGENTS AND CONTRIBUTORS');
    expect(document.html).toMatch(/^<h1>BSD License<\/h1><p>Copyright \(c\) The Regents/);
    expect(document.html).toContain('Redistribution and use in source and binary forms');
  });

  it.each([
    ['bsd.txt', 'Redistribution and use in source and binary forms'],
    ['apache-2.0.txt', 'Apache License'],
    ['mpl-2.0.txt', 'Mozilla Public License'],
  ])('keeps the text of %s as it is', async (name, phrase) => {
    const bytes = readCorpusFile(name);
    const document = await extractDocument({ bytes, filename: name, declaredType: 'text/plain' });

    expect(document.fileType).toBe('txt');
    expect(document.mimeType).toBe('text/plain');
    expect(document.text).toBe(Buffer.from(bytes).toString('utf8'));
    expect(document.text).toContain(phrase);
    expect(document.title).toBe(name.replace(/\.txt$/, ''));
    expect(document.contentHash).toBe(sha256(bytes));
  });

  it('detects a PDF from its bytes whatever its name and declared type say', async () => {
    const bytes = readCorpusFile('shared-mime-info-spec.pdf');
    const document = await extractDocument({
      bytes,
      filename: 'notes.txt',
      declaredType: 'text/plain',
    });

    expect(document.fileType).toBe('pdf');
    expect(document.pages).toBe(17);
    expect(document.title).toBe('notes');
  });

  it('detects a DOCX without any name or declared type', async () => {
    const document = await extractDocument({ bytes: readCorpusFile('bsd.docx') });

    expect(document.fileType).toBe('docx');
    expect(document.title).toBe('BSD License');
    expect(document.filename).toBeUndefined();
  });

  it("accepts Node Buffers and leaves the caller's bytes untouched", async () => {
    const pdf = Buffer.from(readCorpusFile('shared-mime-info-spec.pdf'));
    const original = Buffer.from(pdf);
    // Small Buffers share Node's pool: pdf.js must not detach their memory.
    const pooledPdf = Buffer.from(buildPdf({ pageTexts: ['pooled'] }));
    const neighbour = Buffer.from('neighbour');

    expect((await extractDocument({ bytes: pdf, filename: 'spec.pdf' })).pages).toBe(17);
    expect((await extractPdfText(pooledPdf)).text).toBe('pooled');
    const docx = Buffer.from(readCorpusFile('bsd.docx'));
    expect((await extractDocument({ bytes: docx })).title).toBe('BSD License');
    expect(pdf.equals(original)).toBe(true);
    expect(pooledPdf.byteLength).toBeGreaterThan(0);
    expect(neighbour.toString()).toBe('neighbour');
  });
});
