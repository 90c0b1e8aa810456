/**
 * Reads `.env`-style text: KEY=VALUE lines, `export ` prefixes, comments and
 * blank lines ignored, matching single or double quotes removed. Values are
 * taken literally (no interpolation), as a secret must be.
 */
export function parseEnvFile(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  text.split(/\r?\n/).forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) throw new Error(`line ${index + 1} is not KEY=VALUE`);
    const [, key, rawValue = ''] = match;
    const quoted = /^(['"])(.*)\1$/.exec(rawValue);
    entries.set(key as string, quoted ? (quoted[2] as string) : rawValue);
  });
  return entries;
}
