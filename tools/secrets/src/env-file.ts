/**
 * Reads `.env`-style text: KEY=VALUE lines, `export ` prefixes, comments and
 * blank lines ignored, matching single or double quotes removed. Values are
 * taken literally (no interpolation), as a secret must be. Keys may contain
 * hyphens, as the secret name `service-token` does. A key given twice is
 * refused: which of two values was meant cannot be guessed.
 */
export function parseEnvFile(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  const lineOf = new Map<string, number>();
  text.split(/\r?\n/).forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(.*)$/.exec(line);
    if (!match) throw new Error(`line ${index + 1} is not KEY=VALUE`);
    const [, key = '', rawValue = ''] = match;
    const first = lineOf.get(key);
    if (first !== undefined) {
      throw new Error(`line ${index + 1} repeats ${key} (first given on line ${first})`);
    }
    lineOf.set(key, index + 1);
    const quoted = /^(['"])(.*)\1$/.exec(rawValue);
    entries.set(key, quoted ? (quoted[2] as string) : rawValue);
  });
  return entries;
}
