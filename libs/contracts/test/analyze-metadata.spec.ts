import { analyzeRequest, indexRequest } from '../src';

// Found in review: /analyze indexed metadata.title unchecked (a NUL cut the
// stored title short, a lone surrogate reached Chroma, 200,000 characters
// were kept), where /ai/v1/index bounds a title and makes it well-formed.
describe("/analyze's metadata.title", () => {
  const metadataOf = (metadata: Record<string, unknown>) =>
    analyzeRequest.parse({ document: 'Quokkas are marsupials.', metadata }).metadata;

  it('is made well-formed and trimmed as the index route does it, one for one', () => {
    const title = '  Before\u0000After \ud800 end ';
    expect(metadataOf({ document_id: 'b1', title })?.['title']).toBe(
      'Before\uFFFDAfter \uFFFD end',
    );
    expect(metadataOf({ document_id: 'b1', title })?.['title']).toBe(
      indexRequest.parse({ ownerId: 'o', documentId: 'd', title, text: 't' }).title,
    );
  });

  // Found in a second review: without a document to index, nothing is stored,
  // and a client's `"title": null` was proxied to the container before.
  it('passes through as sent when no document is indexed', () => {
    for (const title of [null, '', 42, '  padded  ', 'x'.repeat(501)]) {
      expect(metadataOf({ title, source: 'upload' })).toEqual({ title, source: 'upload' });
    }
  });

  it.each([
    ['longer than 500 characters', 'x'.repeat(501)],
    ['200,000 characters', 'x'.repeat(200_000)],
    ['blank', '   '],
    ['not a string', 42],
    // Found in an exploratory test: these were indexed and listed as related
    // documents' titles; a NUL or lone surrogate would show as U+FFFD.
    ['zero-width', '\u200b'],
    ['the blank Braille pattern', '\u2800'],
    ['NULs', '\u0000\u0000'],
    ['a lone surrogate', '\ud800'],
  ])('is refused when %s', (_case, title) => {
    const parsed = analyzeRequest.safeParse({
      document: 'd',
      metadata: { document_id: 'b', title },
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['metadata', 'title']);
  });

  it('accepts 500 characters, and leaves every other key free-form and as sent', () => {
    const metadata = metadataOf({
      title: 't'.repeat(500),
      document_id: 'b1',
      source: { kind: 'upload', note: 'x\ud800' },
      tags: ['a', 1, null],
    });
    expect(metadata).toEqual({
      title: 't'.repeat(500),
      document_id: 'b1',
      source: { kind: 'upload', note: 'x\ud800' },
      tags: ['a', 1, null],
    });
    expect(metadataOf({ document_id: 'b1' })).toEqual({ document_id: 'b1' });
  });
});
