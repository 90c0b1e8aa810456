/**
 * What safeDocxHtml never keeps: an image, or a link to anything but the
 * web, mail or this page (and, to be safe, any target spelled otherwise).
 * Mammoth escapes the document's text, so its other markup is its own.
 */
const MAY_BE_UNSAFE = /<img\b|\shref="(?!https?:|mailto:|#)/i;

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
