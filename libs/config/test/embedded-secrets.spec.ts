import { spawn } from 'node:child_process';
import { buildSync } from 'esbuild';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readOrCreateEmbeddedSecrets } from '../src/embedded-secrets';

describe('embedded secrets', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dt-embedded-secrets-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the file once, readable by its owner only, and reads it back after', () => {
    const data = join(dir, 'data');
    const created = readOrCreateEmbeddedSecrets(data);
    expect(created.jwtSecret).toMatch(/^[\w-]{43}$/);
    expect(readOrCreateEmbeddedSecrets(data)).toEqual(created);
    expect(readdirSync(data)).toEqual(['embedded-secrets.json']);
    expect(statSync(join(data, 'embedded-secrets.json')).mode & 0o777).toBe(0o600);
  });

  // Found in review: created in place, the file could be read empty by a
  // process starting beside the one writing it (npm start's first run).
  it('gives processes that start together one set of secrets, and fails none of them', async () => {
    const script = join(dir, 'read-secrets.cjs');
    buildSync({
      stdin: {
        contents: `const { readOrCreateEmbeddedSecrets } = require(${JSON.stringify(join(__dirname, '../src/embedded-secrets.ts'))});
process.stdout.write(JSON.stringify(readOrCreateEmbeddedSecrets(process.argv[2])));`,
        resolveDir: __dirname,
        loader: 'ts',
      },
      outfile: script,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      logLevel: 'error',
    });
    const run = (data: string) =>
      new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const child = spawn(process.execPath, [script, data]);
        let out = '';
        let err = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
        child.on('close', (code) => resolve({ code, out, err }));
      });
    for (let round = 0; round < 8; round += 1) {
      const data = join(dir, `round-${round}`);
      const results = await Promise.all([run(data), run(data), run(data), run(data)]);
      expect(results.map(({ code, err }) => ({ code, err }))).toEqual(
        results.map(() => ({ code: 0, err: '' })),
      );
      expect(new Set(results.map(({ out }) => out)).size).toBe(1);
      expect(readdirSync(data)).toEqual(['embedded-secrets.json']);
    }
  }, 60_000);
});
