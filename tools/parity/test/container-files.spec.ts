import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { validate } from 'dockerfile-utils';
import { readEnvExample } from '../src/read-env-example';

const root = resolve(__dirname, '..', '..', '..');
const composeFile = join(root, 'docker', 'docker-compose.yml');
const envExample = join(root, 'docker', '.env.example');

function run(command: string, args: string[]) {
  return spawnSync(command, args, { cwd: root, encoding: 'utf8' });
}

/**
 * Tools from apt may be absent on a developer machine: the check is then
 * skipped (counted as skipped, not passed) with one visible line.
 */
function itWith(command: string, name: string, check: () => void): void {
  const found = run('sh', ['-c', `command -v ${command}`]).status === 0;
  if (!found) {
    process.stdout.write(
      `SKIPPED (${command} not installed; apt-get install ${command}): ${name}\n`,
    );
  }
  (found ? it : it.skip)(name, check);
}

function dclint(file: string) {
  return run(process.execPath, [
    join(root, 'node_modules', 'dclint', 'bin', 'dclint.cjs'),
    '-c',
    join(root, 'docker', 'dclint.json'),
    '--max-warnings',
    '0',
    file,
  ]);
}

describe('docker/docker-compose.yml', () => {
  itWith(
    'docker-compose',
    'passes docker-compose config -q with the example environment, with and without the fastapi profile',
    () => {
      for (const profile of [[], ['--profile', 'fastapi']]) {
        const result = run('docker-compose', [
          '-f',
          composeFile,
          '--env-file',
          envExample,
          ...profile,
          'config',
          '-q',
        ]);
        expect(result.stderr).toBe('');
        expect(result.status).toBe(0);
      }
    },
  );

  it('validates against the compose-spec schema and lints clean (dclint)', () => {
    const result = dclint(composeFile);
    expect(result.stdout + result.stderr).not.toMatch(/error|warning/i);
    expect(result.status).toBe(0);
  });

  it('fails the schema check when a service is malformed (the check is live)', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'compose-spec-'));
    try {
      const broken = join(scratch, 'docker-compose.yml');
      writeFileSync(broken, readFileSync(composeFile, 'utf8').replace('read_only:', 'readonly:'));
      const result = dclint(broken);
      expect(result.stdout).toContain('invalid-schema');
      expect(result.status).not.toBe(0);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

describe('docker/.env.example', () => {
  it('holds placeholders only: secrets are blank, local URLs or marked change-me', () => {
    for (const [variable, value] of readEnvExample(readFileSync(envExample, 'utf8'))) {
      const local =
        /^(mongodb|redis|http|neo4j):\/\/([^@]*@)?(mongo|redis|chroma|neo4j|aiml-upstream)[:/]/.test(
          value,
        );
      const placeholder = value === '' || value === 'local' || value.includes('change-me');
      expect({ variable, acceptable: local || placeholder }).toEqual({
        variable,
        acceptable: true,
      });
    }
  });
});

describe('Dockerfiles', () => {
  it.each(['backend', 'aiml-gateway'])(
    '%s.Dockerfile has no lint findings (dockerfile-utils)',
    (app) => {
      const text = readFileSync(join(root, 'docker', `${app}.Dockerfile`), 'utf8');
      expect(validate(text)).toEqual([]);
      expect(text).toMatch(/^ARG NODE_IMAGE=/m);
      expect(text).toMatch(/^USER 1000:1000$/m);
      expect(text).toMatch(/^CMD \["node", "main\.js"\]$/m);
    },
  );
});

describe('the Node the images ship', () => {
  const nodeImage = (app: string) =>
    /^ARG NODE_IMAGE=(.+)$/m.exec(
      readFileSync(join(root, 'docker', `${app}.Dockerfile`), 'utf8'),
    )?.[1];

  it('is one release in both Dockerfiles, named by its full version', () => {
    expect(nodeImage('aiml-gateway')).toBe(nodeImage('backend'));
    expect(nodeImage('backend')).toMatch(/^node:\d+\.\d+\.\d+-bookworm-slim$/);
  });

  it('is the one the image smoke test builds its base from (fetch-node-binary.sh pins it)', () => {
    const version = /^node:(\d+\.\d+\.\d+)-/.exec(nodeImage('backend') ?? '')?.[1];
    expect(version).toBeDefined();
    const fetchScript = readFileSync(
      join(root, 'tools', 'containers', 'fetch-node-binary.sh'),
      'utf8',
    );
    expect(fetchScript).toMatch(
      new RegExp(`^  ${version?.replace(/\./g, '\\.')}\\) pinned_integrity='sha512-`, 'm'),
    );
  });
});

describe('tools/containers scripts', () => {
  itWith('shellcheck', 'are shellcheck-clean', () => {
    const scripts = readdirSync(join(root, 'tools', 'containers'))
      .filter((name) => name.endsWith('.sh'))
      .map((name) => join('tools', 'containers', name));
    const result = run('shellcheck', scripts);
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  });
});
