import { join } from 'node:path';
import {
  startRedis,
  exitOfServiceProcess,
  failingListenNodeOptions,
  temporaryDirectories,
  type RunningService,
} from '@docuthinker/testing';

const GATEWAY = join(__dirname, '../../../dist/apps/aiml-gateway/main.js');

const dataDirs = temporaryDirectories('dt-gateway-config-');
afterAll(() => dataDirs.removeAll());

/** Runs the built gateway with `env` and waits for it to exit. */
function exitOf(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return exitOfServiceProcess(GATEWAY, {
    NODE_ENV: 'development',
    DOCUTHINKER_DATA_DIR: dataDirs.create(),
    ...env,
  });
}

describe('the gateway refusing its configuration at start-up', () => {
  let redis: RunningService;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis?.stop());

  // Found in an exploratory test: production started on them, ECS having
  // injected Secrets Manager key/value secrets as their JSON text.
  it('refuses JSON key/value secrets from the environment, naming each, quoting none', async () => {
    const { code, output } = await exitOf({
      NODE_ENV: 'production',
      DOCUTHINKER_ALLOW_EMBEDDED: 'true',
      DOCUTHINKER_JWT_SECRET: '{"jwt":"7f3c0a9e51b2d4c68e0f1a2b3c4d5e6f"}',
      DOCUTHINKER_SERVICE_TOKEN: '{"token":"a1b2c3d4e5f60718293a4b5c6d7e8f90"}',
      OPENAI_API_KEY: '{"OPENAI_API_KEY":"sk-proj-leakme123"}',
    });
    expect(code).toBe(1);
    expect(output).toMatch(/^Invalid configuration for aiml-gateway \(3 problems\):$/m);
    for (const variable of [
      'DOCUTHINKER_JWT_SECRET',
      'DOCUTHINKER_SERVICE_TOKEN',
      'OPENAI_API_KEY',
    ]) {
      expect(output).toMatch(new RegExp(`^ {2}- ${variable}: is a JSON key/value object`, 'm'));
    }
    for (const value of ['7f3c0a9e', 'a1b2c3d4', 'leakme']) expect(output).not.toContain(value);
  });

  it('refuses credentials in a provider base URL, which fetch would refuse on every call', async () => {
    const { code, output } = await exitOf({
      OPENAI_API_KEY: 'sk-test-key',
      DOCUTHINKER_OPENAI_BASE_URL: 'https://svc:proxy-s3cret@llm-proxy.internal/v1',
    });
    expect(code).toBe(1);
    expect(output).toMatch(/^ {2}- DOCUTHINKER_OPENAI_BASE_URL: has a user name or password/m);
    expect(output).not.toContain('proxy-s3cret');
  });

  it('refuses a Chroma URL with a path, which its client would drop', async () => {
    const { code, output } = await exitOf({
      DOCUTHINKER_CHROMA_URL: 'http://admin:chr0ma-s3cret@127.0.0.1:5394/chroma-proxy/',
    });
    expect(code).toBe(1);
    expect(output).toMatch(/^ {2}- DOCUTHINKER_CHROMA_URL: has a path, query or fragment/m);
    expect(output).not.toContain('chr0ma-s3cret');
  });

  // Found in an exploratory test: an uncaught ReplyError after start-up.
  it('refuses a Redis URL whose path is not a database number', async () => {
    const { code, output } = await exitOf({ REDIS_URL: `${redis.url}/abc` });
    expect(code).toBe(1);
    expect(output).not.toContain('ReplyError');
    expect(output).toMatch(/^ {2}- REDIS_URL: has a path other than a database number/m);
  });
});

describe('the gateway failing to start', () => {
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
    expect(output).toContain('aiml-gateway failed to start: listen refused (key [REDACTED])\n');
    expect(output).not.toContain(secret);
  });
});
