/**
 * A relative link target, such as Word's link to `report.docx`, which
 * safeDocxHtml keeps: no scheme (no colon before the first `/`, `?` or `#`),
 * not protocol-relative, and none of what a browser reads otherwise than it
 * is spelled (backslashes, white space and control characters, entities but
 * `&amp;`). Without it, every read of such a document cleaned it again.
 */
const RELATIVE_TARGET = String.raw`(?!//)(?:[^"&\\\s\x00-\x1f:/?#]|&amp;)*(?:[/?#](?:[^"&\\\s\x00-\x1f]|&amp;)*)?"`;

/**
 * What safeDocxHtml never keeps: an image, or a link to anything but the
 * web, mail, this page or a relative target (and, to be safe, any target
 * spelled otherwise). Mammoth escapes the document's text, so its other
 * markup is its own.
 */
const MAY_BE_UNSAFE = new RegExp(
  String.raw`<img\b|\shref="(?!https?:|mailto:|#|${RELATIVE_TARGET})`,
  'i',
);

/**
 * A document's stored HTML, safe to render. Documents converted before
 * safeDocxHtml existed may hold a footnote's `javascript:` link or image;
 * those (rare, found by one linear search) are cleaned as they are read.
 * The sanitizer is loaded only then: it costs start-up, and a few hundred
 * milliseconds a megabyte, which every read should not pay.
 */
export async function displayableDocxHtml(html: string): Promise<string> {
  if (!MAY_BE_UNSAFE.test(html)) return html;
  const { safeDocxHtml } = await import('./safe-docx-html');
  return safeDocxHtml(html);
}
