/** Variable -> value from a dotenv file; comments and blank lines are skipped. */
export function readEnvExample(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match?.[1] !== undefined) values.set(match[1], (match[2] ?? '').trim());
  }
  return values;
}
