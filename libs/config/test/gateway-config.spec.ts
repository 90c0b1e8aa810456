import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporaryDirectories } from '@docuthinker/testing';
import {
  ConfigError,
  DEFAULT_GATEWAY_BODY_LIMIT_BYTES,
  loadGatewayConfig,
  type Environment,
} from '../src';

const dataDirs = temporaryDirectories('dt-gw-');
afterAll(() => dataDirs.removeAll());

function problemsOf(env: Environment) {
  try {
    loadGatewayConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected the configuration to be rejected');
}

const secrets = {
  DOCUTHINKER_JWT_SECRET: 'jwt-key-for-config-tests-0123456789',
  DOCUTHINKER_SERVICE_TOKEN: 'service-token-for-config-tests-0123456789',
};
const productionEnv = {
  NODE_ENV: 'production',
  DOCUTHINKER_NEO4J_URI: 'neo4j+s://neo4j:pw@graph.example:7687',
  DOCUTHINKER_CHROMA_URL: 'http://chroma.internal:8000',
  REDIS_URL: 'rediss://cache.internal:6379',
  OPENAI_API_KEY: 'sk-test-key',
  ...secrets,
};

describe('loadGatewayConfig', () => {
  it('applies the defaults of the seed', () => {
    const config = loadGatewayConfig(productionEnv);
    expect(config.port).toBe(8000);
    expect(config.syncGraph).toBe(true);
    expect(config.syncVector).toBe(true);
    expect(config.chromaDir).toBe('/mnt/efs/chroma');
    expect(config.providers).toEqual(['openai', 'local']);
    expect(config.redisUrl).toBe('rediss://cache.internal:6379');
    expect(config.corsOrigins).toEqual([]);
  });

  it("takes the web app's CORS origins by the backend's rule", () => {
    const config = loadGatewayConfig({
      ...productionEnv,
      DOCUTHINKER_CORS_ORIGINS: 'https://app.example.com, https://admin.example.com:8443',
    });
    expect(config.corsOrigins).toEqual([
      'https://app.example.com',
      'https://admin.example.com:8443',
    ]);
    expect(
      problemsOf({ ...productionEnv, DOCUTHINKER_CORS_ORIGINS: 'https://app.example.com/' }),
    ).toEqual([expect.objectContaining({ variable: 'DOCUTHINKER_CORS_ORIGINS' })]);
  });

  it('names the stores and the provider keys when production has nothing', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    const variables = problems.map((p) => p.variable);
    expect(variables).toEqual(
      expect.arrayContaining([
        'DOCUTHINKER_NEO4J_URI',
        'DOCUTHINKER_CHROMA_URL',
        'REDIS_URL',
        'OPENAI_API_KEY, ANTHROPIC_API_KEY, GOOGLE_API_KEY',
        'DOCUTHINKER_JWT_SECRET',
        'DOCUTHINKER_SERVICE_TOKEN',
      ]),
    );
  });

  it('does not require Neo4j or Chroma when their sync is off', () => {
    const config = loadGatewayConfig({
      ...productionEnv,
      DOCUTHINKER_NEO4J_URI: undefined,
      DOCUTHINKER_CHROMA_URL: undefined,
      DOCUTHINKER_SYNC_GRAPH: 'false',
      DOCUTHINKER_SYNC_VECTOR: '0',
    });
    expect(config.syncGraph).toBe(false);
    expect(config.neo4jUri).toBeUndefined();
  });

  it('accepts the offline engine alone in production only when chosen explicitly', () => {
    const env = { ...productionEnv, OPENAI_API_KEY: undefined };
    expect(problemsOf(env).map((p) => p.variable)).toEqual([
      'OPENAI_API_KEY, ANTHROPIC_API_KEY, GOOGLE_API_KEY',
    ]);
    expect(loadGatewayConfig({ ...env, DOCUTHINKER_AI_PROVIDERS: 'local' }).providers).toEqual([
      'local',
    ]);
  });

  it('starts with embedded stores when allowed and the offline engine is chosen', () => {
    const dataDir = dataDirs.create();
    const config = loadGatewayConfig({
      NODE_ENV: 'production',
      DOCUTHINKER_ALLOW_EMBEDDED: '1',
      DOCUTHINKER_AI_PROVIDERS: 'local',
      DOCUTHINKER_DATA_DIR: dataDir,
    });
    expect(config.chromaUrl).toBeUndefined();
    expect(config.neo4jUri).toBeUndefined();
    expect(config.notices.length).toBeGreaterThan(0);
  });

  it('names the directory variable an embedded index could not write to, and only that', () => {
    const file = join(dataDirs.create(), 'a-file');
    writeFileSync(file, '');
    const blocked = join(file, 'below');
    const development = { NODE_ENV: 'development', ...secrets };
    expect(problemsOf({ ...development, DOCUTHINKER_CHROMA_DIR: blocked })).toEqual([
      {
        variable: 'DOCUTHINKER_CHROMA_DIR',
        problem: `names ${blocked}, which cannot be created: ${file} is a file`,
        expected: 'a directory this process can create or write to',
      },
    ]);
    expect(problemsOf({ ...development, DOCUTHINKER_DATA_DIR: blocked })).toEqual([
      expect.objectContaining({ variable: 'DOCUTHINKER_DATA_DIR' }),
    ]);
    // Without Redis, revoked tokens are read from the data directory.
    const offIndexes = { DOCUTHINKER_SYNC_GRAPH: 'false', DOCUTHINKER_SYNC_VECTOR: 'false' };
    expect(problemsOf({ ...development, ...offIndexes, DOCUTHINKER_DATA_DIR: blocked })).toEqual([
      expect.objectContaining({ variable: 'DOCUTHINKER_DATA_DIR' }),
    ]);
    // Indexes and Redis on their servers, or indexes switched off, use neither directory.
    const unused = { DOCUTHINKER_DATA_DIR: blocked, DOCUTHINKER_CHROMA_DIR: blocked };
    expect(loadGatewayConfig({ ...productionEnv, ...unused }).chromaDir).toBe(blocked);
    expect(
      loadGatewayConfig({
        ...development,
        ...unused,
        ...offIndexes,
        REDIS_URL: 'redis://cache.internal:6379',
      }).dataDir,
    ).toBe(blocked);
  });

  it('puts embedded vector data under the data dir outside production', () => {
    const dataDir = dataDirs.create();
    const config = loadGatewayConfig({ NODE_ENV: 'development', DOCUTHINKER_DATA_DIR: dataDir });
    expect(config.chromaDir).toBe(join(dataDir, 'chroma'));
    expect(config.providers).toEqual(['local']);
  });

  it('rejects a provider chain naming an unconfigured provider', () => {
    const problems = problemsOf({ ...productionEnv, DOCUTHINKER_AI_PROVIDERS: 'anthropic,local' });
    expect(problems).toEqual([
      expect.objectContaining({
        variable: 'ANTHROPIC_API_KEY',
        problem: 'is not set but DOCUTHINKER_AI_PROVIDERS names anthropic',
      }),
    ]);
  });

  it('rejects an unknown provider name', () => {
    const problems = problemsOf({ ...productionEnv, DOCUTHINKER_AI_PROVIDERS: 'openai,skynet' });
    expect(problems).toContainEqual(
      expect.objectContaining({
        variable: 'DOCUTHINKER_AI_PROVIDERS',
        problem: 'names an unknown provider: entry 2',
      }),
    );
  });

  // Found in review: "," passed as a configured provider and then failed
  // every engine build, leaving the gateway unready for ever.
  it.each([',', ',, ,'])('rejects a key pool with no key between its commas (%j)', (value) => {
    expect(problemsOf({ ...productionEnv, OPENAI_API_KEY: value })).toContainEqual(
      expect.objectContaining({
        variable: 'OPENAI_API_KEY',
        problem: 'holds no key between its commas',
      }),
    );
  });

  // Found in review: the gateway started, and every call failed inside the
  // SDK ("invalid header value"), logged as the provider's unreadable answer.
  it.each([
    ['a line break', 'sk-oa-first\nX-Leak: 1,sk-oa-second', 1],
    ['a space inside', 'sk-oa-first,sk-oa second', 2],
    ['a non-ASCII character', 'sk-oa-first,sk-oa-second€', 2],
  ])(
    'rejects a key pool whose key holds %s, naming the key by position, quoting none',
    (_case, value, position) => {
      const problems = problemsOf({ ...productionEnv, OPENAI_API_KEY: value });
      expect(problems).toContainEqual(
        expect.objectContaining({
          variable: 'OPENAI_API_KEY',
          problem: `key ${position} of 2 holds a space, control or non-ASCII character, which an HTTP header cannot carry`,
        }),
      );
      expect(JSON.stringify(problems)).not.toMatch(/sk-oa/);
    },
  );

  it('takes a key pool with blanks between its keys', () => {
    const config = loadGatewayConfig({ ...productionEnv, GOOGLE_API_KEY: 'g1,, g2 ,' });
    expect(config.providers).toContain('google');
    expect(config.providerKeys.google).toBe('g1,, g2 ,');
  });

  it.each(['yes', 'on', '2', 'maybe'])('rejects DOCUTHINKER_SYNC_GRAPH=%s', (value) => {
    expect(problemsOf({ ...productionEnv, DOCUTHINKER_SYNC_GRAPH: value })).toContainEqual(
      expect.objectContaining({
        variable: 'DOCUTHINKER_SYNC_GRAPH',
        expected: 'true, false, 1 or 0',
      }),
    );
  });

  // Found in review: the gateway then stopped with "URI malformed", naming no variable.
  it('rejects a Neo4j URI whose password holds a % that starts no escape', () => {
    expect(
      problemsOf({
        ...productionEnv,
        DOCUTHINKER_NEO4J_URI: 'neo4j://neo4j:Neo4j%zzS3cretPw@graph.example:7687',
      }),
    ).toEqual([
      expect.objectContaining({
        variable: 'DOCUTHINKER_NEO4J_URI',
        problem:
          'has a % in its user name or password that does not start an escape (write it %25)',
      }),
    ]);
    // Nor does the problem quote the password.
    expect(
      JSON.stringify(problemsOf({ ...productionEnv, DOCUTHINKER_NEO4J_URI: 'neo4j://u:p%zz@h' })),
    ).not.toContain('p%zz');
  });

  it('rejects a Neo4j URI of the wrong scheme', () => {
    expect(problemsOf({ ...productionEnv, DOCUTHINKER_NEO4J_URI: 'http://graph' })).toContainEqual(
      expect.objectContaining({ variable: 'DOCUTHINKER_NEO4J_URI' }),
    );
  });

  it.each([
    ['DOCUTHINKER_NEO4J_URI', 'neo4j://'],
    ['DOCUTHINKER_NEO4J_URI', 'bolt:///'],
  ])('rejects %s=%s, which names no host', (variable, value) => {
    expect(problemsOf({ ...productionEnv, [variable]: value })).toEqual([
      expect.objectContaining({ variable, problem: 'does not name a host' }),
    ]);
  });

  it('orders the default chain upstream first, local last', () => {
    const config = loadGatewayConfig({
      ...productionEnv,
      GOOGLE_API_KEY: 'g-key-123',
      ANTHROPIC_API_KEY: 'a-key-123',
      DOCUTHINKER_AIML_UPSTREAM_URL: 'http://127.0.0.1:8001',
    });
    expect(config.providers).toEqual(['upstream', 'openai', 'anthropic', 'google', 'local']);
  });
  it('reads the request body limit, by default room for the longest text the API takes', () => {
    expect(loadGatewayConfig(productionEnv).maxRequestBytes).toBe(DEFAULT_GATEWAY_BODY_LIMIT_BYTES);
    expect(
      loadGatewayConfig({ ...productionEnv, DOCUTHINKER_MAX_REQUEST_BYTES: '1048576' })
        .maxRequestBytes,
    ).toBe(1048576);
    expect(problemsOf({ ...productionEnv, DOCUTHINKER_MAX_REQUEST_BYTES: '1000' })).toEqual([
      expect.objectContaining({ variable: 'DOCUTHINKER_MAX_REQUEST_BYTES' }),
    ]);
  });

  it('defaults the provider settings: no per-task orders, a 45 s chain deadline, SDK defaults', () => {
    const config = loadGatewayConfig(productionEnv);
    expect(config.taskProviders).toEqual({});
    expect(config.providerDeadlineMs).toBe(45000);
    expect(config.providerModels).toEqual({});
    expect(config.providerBaseUrls).toEqual({});
  });

  it('reads per-task provider orders, models, base URLs and the deadline', () => {
    const config = loadGatewayConfig({
      ...productionEnv,
      ANTHROPIC_API_KEY: 'ak-test-key',
      DOCUTHINKER_AI_TASK_PROVIDERS:
        ' sentiment = local ; summary=anthropic, openai,local;answer=openai',
      DOCUTHINKER_AI_DEADLINE_MS: '20000',
      DOCUTHINKER_OPENAI_MODEL: 'gpt-4.1-mini',
      DOCUTHINKER_OPENAI_BASE_URL: 'https://llm-proxy.internal/openai/v1',
      DOCUTHINKER_ANTHROPIC_MODEL: 'claude-sonnet-4-5',
      DOCUTHINKER_GOOGLE_BASE_URL: 'http://127.0.0.1:9000',
    });
    expect(config.providers).toEqual(['openai', 'anthropic', 'local']);
    expect(config.taskProviders).toEqual({
      sentiment: ['local'],
      summary: ['anthropic', 'openai', 'local'],
      answer: ['openai'],
    });
    expect(config.providerDeadlineMs).toBe(20000);
    expect(config.providerModels).toEqual({
      openai: 'gpt-4.1-mini',
      anthropic: 'claude-sonnet-4-5',
      google: undefined,
    });
    expect(config.providerBaseUrls).toEqual({
      openai: 'https://llm-proxy.internal/openai/v1',
      anthropic: undefined,
      google: 'http://127.0.0.1:9000',
    });
  });

  it('refuses an AI deadline the backend would not wait for', () => {
    expect(problemsOf({ ...productionEnv, DOCUTHINKER_AI_DEADLINE_MS: '60000' })).toEqual([
      expect.objectContaining({
        variable: 'DOCUTHINKER_AI_DEADLINE_MS',
        problem: 'is above 45000',
        expected: 'a whole number from 1000 to 45000',
      }),
    ]);
  });

  it('reports every bad provider setting at once', () => {
    const problems = problemsOf({
      ...productionEnv,
      DOCUTHINKER_AI_TASK_PROVIDERS:
        'summary=google;translate=openai;sentiment;topics=local;topics=openai',
      DOCUTHINKER_AI_DEADLINE_MS: '500',
      DOCUTHINKER_OPENAI_BASE_URL: 'ftp://example.com',
    });
    const taskProblems = problems
      .filter((p) => p.variable === 'DOCUTHINKER_AI_TASK_PROVIDERS')
      .map((p) => p.problem);
    expect(taskProblems).toEqual([
      expect.stringMatching(
        /summary the provider\(s\) google, which are not in the chain \(openai, local\)/,
      ),
      expect.stringMatching(/unknown task "translate"/),
      expect.stringMatching(/"sentiment" that is not task=provider,provider/),
      expect.stringMatching(/the task topics twice/),
    ]);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          variable: 'DOCUTHINKER_AI_DEADLINE_MS',
          problem: 'is below 1000',
        }),
        expect.objectContaining({ variable: 'DOCUTHINKER_OPENAI_BASE_URL' }),
      ]),
    );
  });

  // Found in an exploratory test: production started with these, ECS having
  // injected Secrets Manager key/value secrets as their JSON text.
  it('refuses JSON key/value secrets from the environment, naming each, quoting none', () => {
    const env = {
      ...productionEnv,
      DOCUTHINKER_JWT_SECRET: '{"jwt":"7f3c0a9e51b2d4c68e0f1a2b3c4d5e6f"}',
      DOCUTHINKER_SERVICE_TOKEN: '{"token":"a1b2c3d4e5f60718293a4b5c6d7e8f90"}',
      OPENAI_API_KEY: '{"OPENAI_API_KEY":"sk-proj-leakme123"}',
    };
    try {
      loadGatewayConfig(env);
      throw new Error('expected rejection');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual(
        ['DOCUTHINKER_JWT_SECRET', 'DOCUTHINKER_SERVICE_TOKEN', 'OPENAI_API_KEY'].map((variable) =>
          expect.objectContaining({
            variable,
            problem: 'is a JSON key/value object, but docuthinker secrets are plain strings',
          }),
        ),
      );
      for (const value of ['leakme', '7f3c0a9e', 'a1b2c3d4']) {
        expect((error as Error).message).not.toContain(value);
      }
    }
  });

  // Found in an exploratory test: accepted, then every call failed as "network".
  it.each([
    'DOCUTHINKER_OPENAI_BASE_URL',
    'DOCUTHINKER_ANTHROPIC_BASE_URL',
    'DOCUTHINKER_GOOGLE_BASE_URL',
    'DOCUTHINKER_AIML_UPSTREAM_URL',
  ])('refuses credentials in %s, which fetch cannot send', (variable) => {
    expect(
      problemsOf({ ...productionEnv, [variable]: 'https://svc:pw@proxy.internal/v1' }),
    ).toEqual([
      expect.objectContaining({
        variable,
        problem: 'has a user name or password in it, which its HTTP client cannot send',
      }),
    ]);
  });

  // Found in an exploratory test: the client called /api/v2/… at the origin,
  // without the path and without Authorization.
  it.each([
    [
      'http://admin:pw@127.0.0.1:5394/chroma-proxy/',
      'has a path, query or fragment, which the Chroma client drops (it calls /api/v2/… at the root of scheme://host:port)',
    ],
    [
      'http://127.0.0.1:5394/?tenant=x',
      'has a path, query or fragment, which the Chroma client drops (it calls /api/v2/… at the root of scheme://host:port)',
    ],
    [
      'http://admin:100%sure@127.0.0.1:5394',
      'has a % in its user name or password that does not start an escape (write it %25)',
    ],
  ])('refuses DOCUTHINKER_CHROMA_URL=%s: %s', (value, message) => {
    expect(problemsOf({ ...productionEnv, DOCUTHINKER_CHROMA_URL: value })).toEqual([
      expect.objectContaining({ variable: 'DOCUTHINKER_CHROMA_URL', problem: message }),
    ]);
  });

  it('takes a Chroma origin, with or without a trailing slash or Basic credentials', () => {
    for (const url of [
      'http://chroma.internal:8000/',
      'https://chroma.internal',
      'https://admin:p%40ss@chroma.internal:8443',
    ]) {
      expect(loadGatewayConfig({ ...productionEnv, DOCUTHINKER_CHROMA_URL: url }).chromaUrl).toBe(
        url,
      );
    }
  });

  it('reads REDIS_URL by the rule of the backend', () => {
    expect(
      problemsOf({ ...productionEnv, REDIS_URL: 'rediss://:pw@cache.internal:6379/abc' }),
    ).toEqual([
      expect.objectContaining({
        variable: 'REDIS_URL',
        problem: 'has a path other than a database number (/0, /1, …)',
      }),
    ]);
  });
});
