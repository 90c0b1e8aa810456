import sanitizeHtml from 'sanitize-html';

/**
 * The markup mammoth writes for a DOCX (its default style map: headings,
 * paragraphs, lists, tables, emphasis, links and note anchors), and nothing
 * else. Mammoth does not sanitise (its README says so): a transform of the
 * document's body missed footnotes, endnotes and comments, which it keeps
 * apart from the body, so their `javascript:` links and images reached the
 * stored HTML. Cleaning the HTML itself covers every part of the file.
 */
const SAFE_DOCX_HTML: sanitizeHtml.IOptions = {
  allowedTags: [
    ...['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'code', 'br'],
    ...['ul', 'ol', 'li', 'table', 'thead', 'tbody', 'tr', 'th', 'td'],
    ...['strong', 'em', 'u', 's', 'sup', 'sub', 'a'],
  ],
  // `id` and same-page `href` carry the links between note references and notes.
  allowedAttributes: {
    a: ['href', 'id'],
    li: ['id'],
    th: ['colspan', 'rowspan'],
    td: ['colspan', 'rowspan'],
  },
  // A link to anything but the web, mail or this page keeps its text, not its target.
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  // Mammoth's "↑" links from a note back to its reference read as junk in the
  // document's text (which is read from this HTML); the reference links stay.
  exclusiveFilter: (frame) =>
    frame.tag === 'a' && /^#(?:footnote|endnote|comment)-ref-/.test(frame.attribs['href'] ?? ''),
};

/** Mammoth's HTML for a DOCX, with only the markup and link targets that are safe to render. */
export function safeDocxHtml(html: string): string {
  return sanitizeHtml(html, SAFE_DOCX_HTML);
}
