import { extractDocument } from '../src';
import { cleanTitleText } from '@docuthinker/contracts';
import { buildPdf } from './support/build-pdf';

const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

// Each would let a title reorder or break what is displayed after it: the
// download name, a header, a list of documents.
const BIDI_CONTROLS = [
  '\u061c',
  '\u200e',
  '\u200f',
  '\u202a',
  '\u202b',
  '\u202c',
  '\u202d',
  '\u202e',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
];
const CONTROLS = ['\u0000', '\u0007', '\r', '\n', '\t', '\u001b', '\u007f', '\u0085', '\u009b'];
const named = (character: string) => [(character.codePointAt(0) ?? 0).toString(16), character];

describe('cleanTitleText', () => {
  it.each(BIDI_CONTROLS.map(named))('removes the bidirectional control U+%s', (_, character) => {
    expect(cleanTitleText(`photo${character}gnp`)).toBe('photognp');
  });

  it.each(CONTROLS.map(named))('turns the control U+%s into a space', (_, character) => {
    expect(cleanTitleText(`a${character}b`)).toBe('a b');
  });

  it('keeps a header injection on one line', () => {
    expect(cleanTitleText('a\r\nSet-Cookie: pwn=1')).toBe('a Set-Cookie: pwn=1');
  });

  it('keeps right-to-left text, combining marks (composed, NFC) and emoji sequences', () => {
    const titles = [
      'تقرير الربع الأول',
      'דו״ח רבעוני',
      'Résumé e\u0301 ḱ',
      'नमस्ते दुनिया',
      'Team 👩\u200d💻 notes',
      'Flags 🏳️\u200d🌈',
    ];
    for (const title of titles) expect(cleanTitleText(title)).toBe(title.normalize('NFC'));
    expect(cleanTitleText('e\u0301')).toBe('\u00e9');
  });

  it('replaces half a surrogate pair, which UTF-8 cannot store, and keeps whole pairs', () => {
    expect(cleanTitleText('a\uD800b \uDE00 \u{1F600}')).toBe('a\uFFFDb \uFFFD \u{1F600}');
  });

  it('leaves nothing of a title made only of controls', () => {
    expect(cleanTitleText('\u202e\u2066\r\n\u0000')).toBe('');
  });
});

describe('extracted titles', () => {
  it('cleans an HTML <title>, whether the characters are written raw or as references', async () => {
    const html =
      '<!DOCTYPE html><html><head>' +
      '<title>photo&#x202E;gnp\u2066 &#13;&#10;Set-Cookie:\u0085 pwn=1</title>' +
      '</head><body><p>Body text.</p></body></html>';

    const document = await extractDocument({ bytes: utf8(html), filename: 'page.html' });

    expect(document.title).toBe('photognp Set-Cookie: pwn=1');
  });

  it('keeps an Arabic or Hebrew HTML <title> as written', async () => {
    const html =
      '<!DOCTYPE html><html dir="rtl"><head><title>تقرير – דו״ח</title></head>' +
      '<body><p>نص</p></body></html>';

    const document = await extractDocument({ bytes: utf8(html), filename: 'page.html' });

    expect(document.title).toBe('تقرير – דו״ח');
  });

  it('cleans the Title entry of a PDF', async () => {
    const pdf = withPdfTitle(
      buildPdf({ pageTexts: ['Quarterly figures'] }),
      'report\u202egnp.exe\r\nSet-Cookie: pwn=1\u0000 تقرير',
    );

    const document = await extractDocument({ bytes: pdf, filename: 'scan.pdf' });

    expect(document.title).toBe('reportgnp.exe Set-Cookie: pwn=1 تقرير');
  });

  it('cleans the first line of a text', async () => {
    const document = await extractDocument({
      bytes: utf8('photo\u202egnp\u2066\u0085notes\nbody'),
    });

    expect(document.title).toBe('photognp notes');
  });

  it('falls back to the file name when the title is only controls', async () => {
    const html =
      '<!DOCTYPE html><html><head><title>&#x202E;\u2067</title></head><body><p>x</p></body></html>';

    const document = await extractDocument({ bytes: utf8(html), filename: 'fallback.html' });

    expect(document.title).toBe('fallback');
  });
});

/**
 * Adds a document information dictionary with this Title to a PDF written by
 * buildPdf, as an incremental update (a new object, xref section and trailer
 * appended), so the objects before it keep their offsets. The title is
 * written as UTF-16BE, which carries any character.
 */
function withPdfTitle(pdf: Uint8Array, title: string): Uint8Array {
  const original = Buffer.from(pdf).toString('latin1');
  const previousXref = Number(/startxref\n(\d+)/.exec(original)?.[1]);
  const size = Number(/\/Size (\d+)/.exec(original)?.[1]);
  const root = /\/Root (\d+ \d+ R)/.exec(original)?.[1];
  const utf16be = Buffer.from(`\ufeff${title}`, 'utf16le').swap16().toString('hex');

  const objectOffset = original.length;
  const object = `${size} 0 obj\n<< /Title <${utf16be}> >>\nendobj\n`;
  const xrefOffset = objectOffset + object.length;
  const update =
    object +
    `xref\n${size} 1\n${String(objectOffset).padStart(10, '0')} 00000 n \n` +
    `trailer\n<< /Size ${size + 1} /Root ${root} /Info ${size} 0 R /Prev ${previousXref} >>\n` +
    `startxref\n${xrefOffset}\n%%EOF\n`;
  return new Uint8Array(Buffer.concat([Buffer.from(pdf), Buffer.from(update, 'latin1')]));
}

describe("a PDF's Title entry", () => {
  const titled = (titleObject: string, filename = 'quarterly report.pdf') =>
    extractDocument({
      bytes: buildPdf({ pageTexts: ['Some text on the page.'], titleObject }),
      filename,
    });

  it('is the title when it reads as text, in either of its encodings', async () => {
    expect((await titled('(Annual Figures)')).title).toBe('Annual Figures');
    expect((await titled('<FEFF00C5006E006E00FC0061006C>')).title).toBe('Ånnüal');
  });

  // Found by an exploratory test: UTF-16 that does not decode (a lone
  // surrogate) was read as PDFDocEncoding, its byte order mark and all.
  it('gives way to the file name when it is UTF-16 that does not decode', async () => {
    expect((await titled('<FEFFD800>')).title).toBe('quarterly report');
    expect((await titled('<FEFF0041D800>')).title).toBe('quarterly report');
  });
});
