// As the WHATWG HTML standard's prescan: a page declares its encoding within
// its first 1024 bytes, as <meta charset="…"> or as <meta http-equiv=
// "Content-Type" content="text/html; charset=…">.
const PRESCAN_BYTES = 1024;
const META_CHARSET = /<meta\s[^>]*?charset\s*=\s*["']?\s*([^\s"'>;/]+)/i;

/**
 * The WHATWG name of the encoding a `<meta>` near the top declares
 * ("latin1", "iso-8859-1" and "us-ascii" all name "windows-1252"), or
 * undefined when none is declared or the label is unknown (which browsers
 * ignore too).
 */
export function declaredHtmlEncoding(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(
    bytes.buffer,
    bytes.byteOffset,
    Math.min(bytes.byteLength, PRESCAN_BYTES),
  ).toString('latin1');
  const label = META_CHARSET.exec(head)?.[1];
  if (label === undefined) return undefined;
  try {
    return new TextDecoder(label).encoding;
  } catch {
    return undefined;
  }
}
