/**
 * Reads `.env` text as docker-compose reads docker/.env, so that one file
 * gives the same value to compose and to `put`:
 *
 * - `KEY=VALUE` lines, an optional `export ` prefix; blank lines and lines
 *   starting with `#` are ignored.
 * - Unquoted: the value ends at the first ` #` (a space, then `#`), which
 *   starts a comment, and trailing whitespace is dropped: `KEY=abc # team
 *   key` is `abc`, while `KEY=abc#1` keeps its `#`.
 * - Quoted in `'…'` or `"…"`: the value is what lies between the quotes,
 *   `#` included; a `# comment` may follow the closing quote.
 *
 * Values are taken literally (no `$VAR` interpolation), as a secret must be.
 * Where compose would read a value differently (it substitutes `$NAME`
 * outside single quotes, expands escapes inside double quotes, and its
 * versions disagree about `\'` inside single quotes), or the quoting is
 * incomplete, the line is refused instead of guessed: a `$` belongs in
 * single quotes. Keys may contain hyphens, as the secret name `service-token` does.
 * A key given twice is refused: which of two values was meant cannot be
 * guessed. Errors name the line and the key, never the value (nor a "key"
 * that looks like one: see keyForMessages).
 */
export function parseEnvFile(text: string): EnvEntries {
  // PowerShell's `>` writes UTF-16, which reads as NULs between the letters.
  if (text.includes('\u0000')) {
    throw new Error(
      'the input is not UTF-8 text (UTF-16, as PowerShell writes?): save it as UTF-8',
    );
  }
  const entries = new EnvEntries();
  const lineOf = entries.lines;
  text.split(/\r?\n/).forEach((rawLine, index) => {
    const lineNumber = index + 1;
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(.*)$/.exec(line);
    if (!match) throw new Error(`line ${lineNumber} is not KEY=VALUE`);
    const [, key = '', rawValue = ''] = match;
    const first = lineOf.get(key);
    if (first !== undefined) {
      throw new Error(
        `line ${lineNumber} repeats ${keyForMessages(key)} (first given on line ${first})`,
      );
    }
    lineOf.set(key, lineNumber);
    entries.set(key, valueOf(rawValue, `line ${lineNumber} (${keyForMessages(key, lineNumber)})`));
  });
  return entries;
}

/** The entries of an env file, with the line each key was given on. */
export class EnvEntries extends Map<string, string> {
  readonly lines = new Map<string, number>();
}

/**
 * A variable (REDIS_URL; an upper-case word alone only when short, as a
 * base32 value is long), a secret's name (service-token) or a variable typed
 * in lower case (redis_url).
 */
const NAME_LIKE =
  /^(?:[A-Z][A-Z0-9]{0,11}|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*)$/;
const LONGEST_NAME = 48;

/**
 * `key` as an error may show it: as written when it reads as a variable or
 * a secret's name, else described by its line. Found in an exploratory
 * test: a value wrapped onto its own line (`DOCUTHINKER_JWT_SECRET=` then
 * the base64 value, whose padding is an `=`) read as a key, and the error
 * printed it.
 */
export function keyForMessages(key: string, line?: number): string {
  if (key.length <= LONGEST_NAME && NAME_LIKE.test(key)) return key;
  const where = line === undefined ? 'a key' : `the key on line ${line}`;
  return `${where} (no variable or secret name: a value wrapped onto its own line?), not shown`;
}

/** The value of one line's text after `=`, leading whitespace already gone. */
function valueOf(rawValue: string, where: string): string {
  const quote = rawValue[0];
  if (quote !== '"' && quote !== "'") {
    const comment = rawValue.indexOf(' #');
    return withoutSubstitution(
      (comment < 0 ? rawValue : rawValue.slice(0, comment)).trimEnd(),
      where,
    );
  }
  const close = rawValue.indexOf(quote, 1);
  if (close < 0) throw new Error(`${where}: the ${quote} quote is not closed on its line`);
  const value = rawValue.slice(1, close);
  if (value.endsWith('\\')) {
    throw new Error(
      `${where}: a backslash before a closing quote, which docker-compose reads as an escaped quote`,
    );
  }
  const rest = rawValue.slice(close + 1).trim();
  if (rest !== '' && !rest.startsWith('#')) {
    throw new Error(`${where}: only a # comment may follow the closing quote`);
  }
  if (quote === '"' && value.includes('\\')) {
    throw new Error(
      `${where}: a backslash inside double quotes, where docker-compose expands escapes; put the value in single quotes`,
    );
  }
  return quote === '"' ? withoutSubstitution(value, where) : value;
}

/** A value outside single quotes, refused when docker-compose would substitute part of it. */
function withoutSubstitution(value: string, where: string): string {
  if (value.includes('$')) {
    throw new Error(
      `${where}: a $ outside single quotes, where docker-compose substitutes variables; put the value in single quotes`,
    );
  }
  return value;
}
