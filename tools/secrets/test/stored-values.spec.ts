import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { awsTestClientConfig, startMoto, type RunningService } from '@docuthinker/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PLATFORM_SECRETS } from '@docuthinker/config';
import { COMPOSE_SETTINGS } from '../src/secrets-commands';
import { runSecretsCli } from './support/run-secrets-cli';

/** Every required secret, valid, so that `check` fails only for what a test sets up. */
const REQUIRED = [
  'DOCUTHINKER_NEO4J_URI=neo4j://neo4j:pw@graph:7687',
  'DOCUTHINKER_CHROMA_URL=http://chroma:8000',
  'MONGODB_URI=mongodb://db:27017/docs',
  'REDIS_URL=redis://cache:6379',
  'DOCUTHINKER_JWT_SECRET=jwt-0123456789abcdefghijklmnopqrstuv',
  'DOCUTHINKER_SERVICE_TOKEN=token-0123456789abcdefghijklmnopqrstuv',
].join('\n');

describe('tools/secrets against secrets moto holds without a string value', () => {
  let moto: RunningService;
  let client: SecretsManagerClient;

  const run = (args: string[], stdin = '') => runSecretsCli(moto.url, args, stdin);

  const valueOf = async (id: string) =>
    (await client.send(new GetSecretValueCommand({ SecretId: id }))).SecretString;

  beforeAll(async () => {
    moto = await startMoto();
    client = new SecretsManagerClient(awsTestClientConfig(moto.url));
  }, 90_000);

  afterAll(async () => {
    client?.destroy();
    await moto?.stop();
  });

  // Found in an exploratory test: docker/.env's compose settings made put
  // refuse the file its help says both read.
  it('passes over the compose settings of docker/.env, each with a line, and puts the secrets', async () => {
    const prefix = 'docuthinker/compose-file/';
    const composeOnly = [
      'IMAGE_TAG=abc123',
      'NEO4J_PASSWORD=graph-password-0123456789',
      'DOCUTHINKER_AI_PROVIDERS=local',
    ].join('\n');
    const put = await run(['put', '--prefix', prefix], `${REQUIRED}\n${composeOnly}\n`);
    expect(put.stderr).toBe('');
    expect(put.code).toBe(0);
    for (const key of ['IMAGE_TAG', 'NEO4J_PASSWORD', 'DOCUTHINKER_AI_PROVIDERS'])
      expect(put.stdout).toContain(`skipped ${key}: a docker-compose setting, not a secret`);
    expect(put.stdout).toContain('6 secrets, 6 changed');
    expect(put.stdout).not.toContain('graph-password');
  });

  it('knows every key of docker/.env.example as a secret or a compose setting', () => {
    const keys = readFileSync(join(__dirname, '../../../docker/.env.example'), 'utf8')
      .split('\n')
      .map((line) => /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=/.exec(line)?.[1])
      .filter((key): key is string => key !== undefined);
    const secretVariables = new Set<string>(PLATFORM_SECRETS.map((secret) => secret.variable));
    expect(keys.filter((key) => !secretVariables.has(key)).sort()).toEqual(
      [...COMPOSE_SETTINGS].sort(),
    );
  });

  // Found by an exploratory test: put tried to create them again
  // (ResourceExistsException) and check called them present, while a service
  // cannot read them.
  it.each([
    ['with no value', 'empty/', {}],
    ['with a binary value', 'binary/', { SecretBinary: Buffer.from('binary key') }],
  ])('check reports a secret %s as EMPTY, and put gives it its value', async (_, stage, value) => {
    const prefix = `docuthinker/${stage}`;
    expect((await run(['put', '--prefix', prefix], `${REQUIRED}\n`)).code).toBe(0);
    await client.send(new CreateSecretCommand({ Name: `${prefix}openai`, ...value }));

    const before = await run(['check', '--prefix', prefix]);
    expect(before.code).toBe(1);
    // Found in an exploratory test: no provider key passed in silence.
    expect(before.stdout).toContain('note: no LLM provider key is stored');
    expect(before.stdout).toMatch(
      new RegExp(`${prefix}openai\\s+OPENAI_API_KEY\\s+EMPTY \\(no string value\\)`),
    );
    expect(before.stdout).toMatch(new RegExp(`${prefix}mongodb\\s+MONGODB_URI\\s+present`));

    const dry = await run(['put', '--prefix', prefix, '--dry-run'], 'OPENAI_API_KEY=sk-filled\n');
    expect(dry.stdout).toContain(`would update    ${prefix}openai (OPENAI_API_KEY)`);

    const put = await run(['put', '--prefix', prefix], 'OPENAI_API_KEY=sk-filled\n');
    expect(put.stderr).toBe('');
    expect(put.code).toBe(0);
    expect(put.stdout).toContain(`update    ${prefix}openai (OPENAI_API_KEY)`);
    expect(put.stdout).not.toContain('sk-filled');
    expect(await valueOf(`${prefix}openai`)).toBe('sk-filled');

    const after = await run(['check', '--prefix', prefix]);
    expect(after.code).toBe(0);
    expect(after.stdout).not.toContain('note: no LLM provider key');
    expect(after.stdout).toMatch(new RegExp(`${prefix}openai\\s+OPENAI_API_KEY\\s+present`));
    expect(after.stdout + after.stderr).not.toContain('sk-filled');
  });

  // Found in an exploratory test: stored by other means, each was "present"
  // here while the services refused to start on it.
  it.each([
    [
      'a trailing newline',
      'redis',
      'redis://cache:6379\n',
      'REDIS_URL\\s+INVALID \\(has leading or trailing whitespace; expected a redis:// or rediss:// URL',
    ],
    [
      'a JSON object',
      'jwt',
      '{"DOCUTHINKER_JWT_SECRET":"jwt-json-0123456789abcdefghijklmnop"}',
      'DOCUTHINKER_JWT_SECRET\\s+INVALID \\(is a JSON key/value object',
    ],
  ])(
    'check fails on a stored value with %s, saying why and not what',
    async (_, name, value, said) => {
      const prefix = `docuthinker/invalid-${name}/`;
      expect((await run(['put', '--prefix', prefix], `${REQUIRED}\n`)).code).toBe(0);
      await client.send(
        new PutSecretValueCommand({ SecretId: `${prefix}${name}`, SecretString: value }),
      );
      const check = await run(['check', '--prefix', prefix]);
      expect(check.code).toBe(1);
      expect(check.stdout).toMatch(new RegExp(`${prefix}${name}\\s+${said}`));
      for (const part of ['redis://cache:6379', 'jwt-json-0123456789'])
        expect(check.stdout + check.stderr).not.toContain(part);
      // put's own rule is the same: the value fixed, the check passes.
      expect((await run(['put', '--prefix', prefix], `${REQUIRED}\n`)).code).toBe(0);
      expect((await run(['check', '--prefix', prefix])).code).toBe(0);
    },
  );

  it('says "unchanged", not "would unchanged", in a dry run', async () => {
    const prefix = 'docuthinker/dry-unchanged/';
    await run(['put', '--prefix', prefix], 'REDIS_URL=redis://cache:6379\n');
    const dry = await run(
      ['put', '--prefix', prefix, '--dry-run'],
      'REDIS_URL=redis://cache:6379\n',
    );
    expect(dry.stdout).toContain(`unchanged       ${prefix}redis (REDIS_URL)`);
    expect(dry.stdout).not.toContain('would unchanged');
  });

  // Found by an exploratory test: the same line docker-compose reads as sk-abc.
  it('stores an unquoted value without its inline comment', async () => {
    const put = await run(
      ['put', '--prefix', 'docuthinker/comments/'],
      // (A provider key cannot hold a space: a header could not carry it.)
      'OPENAI_API_KEY=sk-abc # team key\nDOCUTHINKER_JWT_SECRET="jwt-0123456789abcdef # kept-ghijklm" # comment\n',
    );
    expect(put.code).toBe(0);
    expect(await valueOf('docuthinker/comments/openai')).toBe('sk-abc');
    expect(await valueOf('docuthinker/comments/jwt')).toBe('jwt-0123456789abcdef # kept-ghijklm');
  });
});
