import { join } from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  awsTestClientConfig,
  startMoto,
  startServiceProcess,
  temporaryDirectories,
  type RunningService,
} from '@docuthinker/testing';

const BACKEND = join(__dirname, '../../dist/apps/backend/main.js');

const SECRETS = {
  mongodb: 'mongodb://docuthinker:sm-m0ngo-pa55@127.0.0.1:9/docs',
  redis: 'redis://:sm-r3dis-pa55@127.0.0.1:9',
  jwt: 'sm-jwt-signing-key-0123456789abcdef0123456789',
  'service-token': 'sm-service-token-0123456789abcdef0123456789',
};

describe('a service reading its secrets from Secrets Manager (moto)', () => {
  let moto: RunningService;
  const dataDirs = temporaryDirectories('dt-sm-');

  const awsEnv = () => ({
    AWS_ENDPOINT_URL: moto.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_EC2_METADATA_DISABLED: 'true',
  });

  beforeAll(async () => {
    moto = await startMoto();
    const client = new SecretsManagerClient(awsTestClientConfig(moto.url));
    for (const [name, value] of Object.entries(SECRETS)) {
      await client.send(
        new CreateSecretCommand({ Name: `prod/docuthinker/${name}`, SecretString: value }),
      );
    }
    client.destroy();
  }, 90_000);

  afterAll(async () => {
    await moto?.stop();
    dataDirs.removeAll();
  });

  it('starts with them, uses them, and never logs them', async () => {
    const service = await startServiceProcess(BACKEND, {
      ...awsEnv(),
      NODE_ENV: 'production',
      DOCUTHINKER_SECRETS_PREFIX: 'prod/docuthinker/',
      DOCUTHINKER_AIML_URL: 'http://127.0.0.1:9',
      DOCUTHINKER_DOCUMENTS_BUCKET: 'docuthinker-documents',
      DOCUTHINKER_DATA_DIR: dataDirs.create(),
      DOCUTHINKER_LOG_LEVEL: 'debug',
    });
    try {
      // Production refuses to start without MONGODB_URI, REDIS_URL and the two
      // platform secrets, so listening at all proves they came from Secrets
      // Manager; the stores they name are unreachable on purpose.
      const ready = await fetch(`${service.url}/ready`);
      expect(ready.status).toBe(503);
      const report = (await ready.json()) as { dependencies: Record<string, { status: string }> };
      expect(Object.values(report.dependencies).some((d) => d.status === 'down')).toBe(true);
      await fetch(`${service.url}/nope`, { headers: { authorization: `Bearer ${SECRETS.jwt}` } });
    } finally {
      expect(await service.stop('SIGTERM')).toBe(0);
    }
    const output = service.output();
    for (const value of [...Object.values(SECRETS), 'sm-m0ngo-pa55', 'sm-r3dis-pa55']) {
      expect({ value, leaked: output.includes(value) }).toEqual({ value, leaked: false });
    }
  });

  it('refuses to start when a required secret is missing, naming it', async () => {
    const service = await startServiceProcess(
      BACKEND,
      {
        ...awsEnv(),
        NODE_ENV: 'production',
        DOCUTHINKER_SECRETS_PREFIX: 'staging/docuthinker/',
        DOCUTHINKER_DATA_DIR: dataDirs.create(),
      },
      { waitFor: null },
    );
    expect(await service.exited).toBe(1);
    expect(service.output()).toMatch(/missing required secrets: .*staging\/docuthinker\/mongodb/);
  });
});
