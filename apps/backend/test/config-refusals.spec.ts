import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  startRedis,
  exitOfServiceProcess,
  failingListenNodeOptions,
  temporaryDirectories,
  type RunningService,
} from '@docuthinker/testing';

const BACKEND = join(__dirname, '../../../dist/apps/backend/main.js');
const REINDEX = join(__dirname, '../../../dist/apps/backend/reindex-main.js');
const run = promisify(execFile);

const dataDirs = temporaryDirectories('dt-backend-config-');
afterAll(() => dataDirs.removeAll());

/** Runs the built backend with `env` and waits for it to exit. */
function exitOf(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return exitOfServiceProcess(BACKEND, {
    NODE_ENV: 'development',
    DOCUTHINKER_DATA_DIR: dataDirs.create(),
    ...env,
  });
}

describe('the backend refusing its configuration at start-up', () => {
  let redis: RunningService;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis?.stop());

  // Found in an exploratory test: the backend started, then died of an
  // uncaught `ReplyError … {command: select, args: ['NaN']}`: a restart loop.
  it('refuses a Redis URL whose path is not a database number, in one line', async () => {
    const { code, output } = await exitOf({ REDIS_URL: `${redis.url}/abc` });
    expect(code).toBe(1);
    expect(output).not.toContain('ReplyError');
    expect(output).toMatch(
      /^Invalid configuration for backend \(1 problem\):\n {2}- REDIS_URL: has a path other than a database number/m,
    );
  });

  // Found in an exploratory test: the driver logged most of the password on
  // every retry, and /ready stayed 503 for ever.
  it('refuses a MongoDB URI with an unescaped @ in its password, quoting none of it', async () => {
    const { code, output } = await exitOf({
      MONGODB_URI: 'mongodb://user:P@ss:w0rdSECRET@127.0.0.1:1/db',
    });
    expect(code).toBe(1);
    expect(output).toMatch(/^ {2}- MONGODB_URI: has a user name or password with a character/m);
    expect(output).not.toContain('w0rdSECRET');
  });

  it('refuses a MongoDB URI the driver cannot parse instead of retrying it', async () => {
    const { code, output } = await exitOf({
      MONGODB_URI: 'mongodb://app:pw-s3cret@127.0.0.1:1/db?bogusOption=1',
    });
    expect(code).toBe(1);
    expect(output).toMatch(
      /^ {2}- MONGODB_URI: is refused by the MongoDB driver: option bogusoption is not supported;/m,
    );
    expect(output).not.toContain('retrying');
  });

  it('refuses a gateway URL with credentials, which fetch would refuse on every call', async () => {
    const { code, output } = await exitOf({
      DOCUTHINKER_AIML_URL: 'http://svc:gw-s3cret@127.0.0.1:5602',
    });
    expect(code).toBe(1);
    expect(output).toMatch(/^ {2}- DOCUTHINKER_AIML_URL: has a user name or password in it/m);
    expect(output).not.toContain('gw-s3cret');
  });

  it('refuses a JSON key/value secret injected into the environment', async () => {
    const { code, output } = await exitOf({
      NODE_ENV: 'production',
      DOCUTHINKER_ALLOW_EMBEDDED: 'true',
      DOCUTHINKER_JWT_SECRET: '{"jwt":"7f3c0a9e51b2d4c68e0f1a2b3c4d5e6f"}',
    });
    expect(code).toBe(1);
    expect(output).toMatch(/^ {2}- DOCUTHINKER_JWT_SECRET: is a JSON key\/value object/m);
    expect(output).not.toContain('7f3c0a9e');
  });

  // Found in an exploratory test: the AWS SDK's nine-line Node-version notice
  // came before the one-line error (on Node 22 and later it never comes).
  it('reports a failed Secrets Manager read in its own line, without the SDK notice', async () => {
    const { code, output } = await exitOf({
      NODE_ENV: 'production',
      DOCUTHINKER_SECRETS_PREFIX: 'docuthinker/',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    expect(code).toBe(1);
    expect(output).not.toContain('NodeVersionSupportWarning');
    expect(output.trim().split('\n')).toEqual([
      expect.stringMatching(/^Could not read secrets docuthinker\/mongodb, .*ECONNREFUSED/),
    ]);
  });

  it('names AWS_ENDPOINT_URL when it has no scheme', async () => {
    const { code, output } = await exitOf({
      NODE_ENV: 'production',
      DOCUTHINKER_SECRETS_PREFIX: 'docuthinker/',
      AWS_ENDPOINT_URL: 'localhost:4566',
      AWS_REGION: 'us-east-1',
    });
    expect(code).toBe(1);
    expect(output).toMatch(/^ {2}- AWS_ENDPOINT_URL: is not a valid URL of the accepted kind;/m);
  });
});

describe('the re-index command failing', () => {
  it('reports a failed Secrets Manager read in its own line, without the SDK notice', async () => {
    const failure = run(process.execPath, [REINDEX, '--all'], {
      env: {
        PATH: process.env['PATH'],
        NODE_ENV: 'production',
        DOCUTHINKER_SECRETS_PREFIX: 'docuthinker/',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    });
    await expect(failure).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^Could not read secrets docuthinker\/mongodb, [^\n]*\n$/),
    });
  });

  // A driver's message may quote the connection string; the command printed
  // it as it came, where the services' logs mask it.
  it('masks secrets in the error it prints', async () => {
    const dir = dataDirs.create();
    const preload = join(dir, 'failing-connect.cjs');
    writeFileSync(
      preload,
      `const { MongoClient } = require(${JSON.stringify(require.resolve('mongodb'))});
MongoClient.prototype.connect = async function () {
  throw new Error('cannot reach mongodb://app:Reindex-S3cret@127.0.0.1:9/docs (auth Reindex-S3cret)');
};
`,
    );
    const failure = run(process.execPath, ['--require', preload, REINDEX, '--all'], {
      env: {
        PATH: process.env['PATH'],
        NODE_ENV: 'development',
        DOCUTHINKER_DATA_DIR: dir,
        MONGODB_URI: 'mongodb://app:Reindex-S3cret@127.0.0.1:9/docs',
      },
    });
    await expect(failure).rejects.toMatchObject({
      code: 1,
      stderr: 'reindex failed: cannot reach [REDACTED] (auth [REDACTED])\n',
    });
  });
});

describe('the backend failing to start', () => {
  // A driver's or the system's message may quote a connection string or a
  // key; the services printed their start-up failure as it came, where their
  // logs mask it.
  it('masks secrets in the line it prints when it cannot start', async () => {
    const secret = 'Zq7vT2mK9pL4xW8nR3bY6cH1dF5gJ0sA';
    const { code, output } = await exitOf({
      DOCUTHINKER_JWT_SECRET: secret,
      NODE_OPTIONS: failingListenNodeOptions(dataDirs.create(), `key ${secret}`),
    });
    expect(code).toBe(1);
    expect(output).toContain('backend failed to start: listen refused (key [REDACTED])\n');
    expect(output).not.toContain(secret);
  });
});
