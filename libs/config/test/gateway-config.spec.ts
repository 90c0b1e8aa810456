import { join } from 'node:path';
import { temporaryDirectories } from '@docuthinker/testing';
import { ConfigError, loadGatewayConfig, type Environment } from '../src';

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
  DOCUTHINKER_JWT_SECRET: 'j'.repeat(40),
  DOCUTHINKER_SERVICE_TOKEN: 's'.repeat(40),
};
const productionEnv = {
  NODE_ENV: 'production',
  DOCUTHINKER_NEO4J_URI: 'neo4j+s://neo4j:pw@graph.example:7687',
  DOCUTHINKER_CHROMA_URL: 'http://chroma.internal:8000',
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
  });

  it('names the stores and the provider keys when production has nothing', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    const variables = problems.map((p) => p.variable);
    expect(variables).toEqual(
      expect.arrayContaining([
        'DOCUTHINKER_NEO4J_URI',
        'DOCUTHINKER_CHROMA_URL',
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
        problem: 'names an unknown provider',
      }),
    );
  });

  it.each(['yes', 'on', '2', 'maybe'])('rejects DOCUTHINKER_SYNC_GRAPH=%s', (value) => {
    expect(problemsOf({ ...productionEnv, DOCUTHINKER_SYNC_GRAPH: value })).toContainEqual(
      expect.objectContaining({
        variable: 'DOCUTHINKER_SYNC_GRAPH',
        expected: 'true, false, 1 or 0',
      }),
    );
  });

  it('rejects a Neo4j URI of the wrong scheme', () => {
    expect(problemsOf({ ...productionEnv, DOCUTHINKER_NEO4J_URI: 'http://graph' })).toContainEqual(
      expect.objectContaining({ variable: 'DOCUTHINKER_NEO4J_URI' }),
    );
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
});
