import { displayableDocxHtml, extractDocument } from '../src';
import { buildDocx } from './support/build-docx';

describe('HTML produced from a DOCX', () => {
  it('keeps web and mail links and drops every other link target, keeping the link text', async () => {
    const bytes = buildDocx({
      heading: 'Links',
      links: [
        { text: 'site', target: 'https://example.com/a?b=1' },
        { text: 'mail', target: 'mailto:ada@example.com' },
        { text: 'script', target: 'javascript:alert(document.cookie)' },
        { text: 'spaced', target: ' java\tscript:alert(1)' },
        { text: 'data', target: 'data:text/html,<script>alert(1)</script>' },
        { text: 'file', target: 'file:///etc/passwd' },
      ],
    });
    const { html, title, text } = await extractDocument({ bytes, filename: 'links.docx' });

    expect(title).toBe('Links');
    expect(html).toContain('<a href="https://example.com/a?b=1">site</a>');
    expect(html).toContain('<a href="mailto:ada@example.com">mail</a>');
    for (const label of ['script', 'spaced', 'data', 'file']) {
      expect(html).toContain(`<a>${label}</a>`);
    }
    expect(html).not.toMatch(/javascript|data:|file:/i);
    expect(text).toBe('Links\n\nsite\n\nmail\n\nscript\n\nspaced\n\ndata\n\nfile');
  });

  it('escapes markup typed into the document as text', async () => {
    const bytes = buildDocx({
      paragraphs: ['<script>alert(1)</script> & <img src=x onerror=alert(1)>'],
    });
    const { html, text } = await extractDocument({ bytes, filename: 'markup.docx' });

    expect(html).toBe(
      '<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;</p>',
    );
    expect(text).toBe('<script>alert(1)</script> & <img src=x onerror=alert(1)>');
  });

  it('neutralises links and drops images in footnotes and endnotes too', async () => {
    const hostile = (text: string, target: string) => ({
      text,
      links: [
        { text: `${text} script`, target },
        { text: `${text} site`, target: 'https://example.com/note' },
      ],
      image: true,
    });
    const bytes = buildDocx({
      paragraphs: ['Body text.'],
      footnotes: [hostile('Footnote', 'javascript:alert(document.domain)')],
      endnotes: [hostile('Endnote', 'data:text/html,<script>alert(2)</script>')],
    });
    const { html, text } = await extractDocument({ bytes, filename: 'notes.docx' });

    // The notes are there, with their safe links (mammoth renders them after the body).
    expect(html).toContain('<a href="https://example.com/note">Footnote site</a>');
    expect(html).toContain('<a href="https://example.com/note">Endnote site</a>');
    expect(html).toContain('<a>Footnote script</a>');
    expect(html).not.toMatch(/javascript|data:|<img|<script/i);
    // Each note reads once in the text, without mammoth's back-link arrows.
    expect(text).toContain('Footnote Footnote script Footnote site');
    expect(text).toContain('Endnote Endnote script Endnote site');
    expect(text).not.toContain('↑');
  });

  it('keeps only the markup a DOCX can produce, whatever the conversion emits', async () => {
    const { html } = await extractDocument({
      bytes: buildDocx({ heading: 'Kept', paragraphs: ['Plain.'] }),
      filename: 'kept.docx',
    });
    expect(html).toBe('<h1>Kept</h1><p>Plain.</p>');
  });
});

describe('HTML stored before it was cleaned', () => {
  // As mammoth wrote a footnote's link and image, before safeDocxHtml.
  const legacy =
    '<p>Text.<sup><a href="#footnote-1" id="footnote-ref-1">[1]</a></sup></p>' +
    '<ol><li id="footnote-1"><p>See <a href="javascript:alert(document.domain)">this</a></p>' +
    '<img src="data:image/png;base64,iVBORw0KGgo=" /><p> <a href="#footnote-ref-1">↑</a></p></li></ol>';

  it('is cleaned as it is read', async () => {
    const shown = await displayableDocxHtml(legacy);
    expect(shown).toContain('<a href="#footnote-1" id="footnote-ref-1">[1]</a>');
    expect(shown).toContain('<a>this</a>');
    expect(shown).not.toMatch(/javascript|data:|<img/i);
  });

  it('is passed on as it is when it holds nothing to clean', async () => {
    const safe = '<h1>Kept</h1><p><a href="https://example.com">site</a> <a href="#n">note</a></p>';
    await expect(displayableDocxHtml(safe)).resolves.toBe(safe);
    // A target spelled any other way is cleaned, to be safe.
    await expect(displayableDocxHtml('<p><a href=" javascript:x">a</a></p>')).resolves.toBe(
      '<p><a>a</a></p>',
    );
  });

  it('passes on relative link targets, which cleaning keeps, without cleaning again', async () => {
    // The span is markup cleaning would drop: kept, it shows nothing was cleaned.
    const relative =
      '<p><a href="report.docx">r</a> <a href="../plans/q3.docx?v=2&amp;x=1#s">p</a>' +
      '<span>as stored</span></p>';
    await expect(displayableDocxHtml(relative)).resolves.toBe(relative);
  });

  it.each([
    'a:b',
    '/\\evil.example',
    '\\\\evil.example',
    '/&#x2F;evil.example',
    '/\t/evil.example',
    'a&#58;b',
  ])('cleans a target that only looks relative: %j', async (target) => {
    await expect(displayableDocxHtml(`<p><a href="${target}">t</a></p>`)).resolves.toBe(
      '<p><a>t</a></p>',
    );
  });
});
