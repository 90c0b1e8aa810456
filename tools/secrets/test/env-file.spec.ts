import { parseEnvFile } from '../src/env-file';

const valueOf = (line: string) => parseEnvFile(`${line}\n`).get('OPENAI_API_KEY');

describe('parseEnvFile reads values as docker-compose reads docker/.env', () => {
  // Found by an exploratory test: put stored "sk-abc # team key" from the same
  // line compose reads as sk-abc, so one file gave two values.
  it.each([
    ['OPENAI_API_KEY=sk-abc # team key', 'sk-abc'],
    ['OPENAI_API_KEY=sk-abc   # team key', 'sk-abc'],
    ['OPENAI_API_KEY=sk-abc #', 'sk-abc'],
    ['export OPENAI_API_KEY=sk-abc # exported', 'sk-abc'],
    ['OPENAI_API_KEY = sk-abc # spaced', 'sk-abc'],
  ])('ends an unquoted value at a space followed by #: %s', (line, expected) => {
    expect(valueOf(line)).toBe(expected);
  });

  it.each([
    // No space before it: part of the value, as compose keeps it.
    ['OPENAI_API_KEY=sk-abc#1', 'sk-abc#1'],
    ['OPENAI_API_KEY=sk-a#b#c', 'sk-a#b#c'],
    // Inside quotes a # is the value's.
    ['OPENAI_API_KEY="sk-abc # not a comment"', 'sk-abc # not a comment'],
    ["OPENAI_API_KEY='sk-abc # not a comment'", 'sk-abc # not a comment'],
    // A comment after the closing quote.
    ['OPENAI_API_KEY="sk-abc" # team key', 'sk-abc'],
    ["OPENAI_API_KEY='sk-abc'   # team key", 'sk-abc'],
    ["OPENAI_API_KEY='sk-abc'#team", 'sk-abc'],
    // A backslash inside single quotes is kept.
    ["OPENAI_API_KEY='sk-a\\x'", 'sk-a\\x'],
    // Trailing whitespace of an unquoted value goes; inside quotes it stays.
    ['OPENAI_API_KEY=sk-abc  \t', 'sk-abc'],
    ['OPENAI_API_KEY=" sk-abc "', ' sk-abc '],
    ['OPENAI_API_KEY=', ''],
  ])('keeps what compose keeps: %s', (line, expected) => {
    expect(valueOf(line)).toBe(expected);
  });

  // Documented: a secret is taken as written, so a $ goes in single quotes,
  // where compose reads it literally too (outside them it substitutes $HOME).
  it('expands no variables', () => {
    expect(valueOf("OPENAI_API_KEY='sk-$HOME'")).toBe('sk-$HOME');
  });

  it('skips blank and comment lines, CRLF included', () => {
    const entries = parseEnvFile(
      '# header\r\n\r\n  # indented comment\r\nREDIS_URL=redis://cache:6379 # local\r\n',
    );
    expect([...entries]).toEqual([['REDIS_URL', 'redis://cache:6379']]);
    expect(entries.lines.get('REDIS_URL')).toBe(4);
  });

  it.each([
    ['OPENAI_API_KEY="sk-abc', 'line 1 (OPENAI_API_KEY): the " quote is not closed on its line'],
    ["OPENAI_API_KEY='sk-abc", "line 1 (OPENAI_API_KEY): the ' quote is not closed on its line"],
    ['OPENAI_API_KEY="sk-abc" trailing', 'line 1 (OPENAI_API_KEY): only a # comment may follow'],
    ['OPENAI_API_KEY="sk-a\\nb"', 'line 1 (OPENAI_API_KEY): a backslash inside double quotes'],
    ["OPENAI_API_KEY='sk-a\\'b'", 'line 1 (OPENAI_API_KEY): a backslash before a closing quote'],
    ['OPENAI_API_KEY=sk-$HOME', 'line 1 (OPENAI_API_KEY): a $ outside single quotes'],
    ['OPENAI_API_KEY="sk-$HOME"', 'line 1 (OPENAI_API_KEY): a $ outside single quotes'],
  ])('refuses what compose would read differently or not at all: %s', (line, message) => {
    expect(() => parseEnvFile(`${line}\n`)).toThrow(message);
  });

  it('names the line and the key, never the value', () => {
    try {
      parseEnvFile('REDIS_URL=redis://a:6379\nOPENAI_API_KEY="sk-s3cret-value trailing\n');
      throw new Error('expected a refusal');
    } catch (error) {
      expect((error as Error).message).toMatch(/^line 2 \(OPENAI_API_KEY\): /);
      expect((error as Error).message).not.toContain('s3cret');
    }
  });
});
