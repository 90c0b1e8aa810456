import { extractDocument } from '../src';
import { buildDocx } from './support/build-docx';

describe('HTML produced from a DOCX', () => {
  it('keeps web and mail links and neutralises every other link target', async () => {
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
      expect(html).toContain(`<a href="#">${label}</a>`);
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
});
