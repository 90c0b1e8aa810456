import type { ServiceConfigBase } from '@docuthinker/config';
import { startServiceContext } from '../src';

const SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

const config: ServiceConfigBase = {
  nodeEnv: 'test',
  port: 1,
  logLevel: 'silent',
  drainTimeoutMs: 0,
  aiCallsPerMinute: 1,
  dataDir: '.data',
  allowEmbedded: true,
  corsOrigins: [],
  jwtSecret: 'jwt-key-for-service-context-tests-0123456789',
  serviceToken: 'service-token-for-service-context-tests-0123456789',
  notices: [],
};

describe('startServiceContext', () => {
  const before = process.env[SWITCH];
  afterEach(() => {
    if (before === undefined) delete process.env[SWITCH];
    else process.env[SWITCH] = before;
  });

  // Found in an exploratory test: the SDK's nine-line Node-version notice
  // came before a failed Secrets Manager read's one-line error, and at every
  // start of a backend on S3, in logs that are otherwise JSON lines.
  it("switches the AWS SDK's Node-version notice off before any client is built", async () => {
    delete process.env[SWITCH];
    let switchWhileLoading: string | undefined;
    await startServiceContext({
      service: 'backend',
      fields: {},
      load: (env) => {
        switchWhileLoading = env[SWITCH];
        return config;
      },
    });
    expect(switchWhileLoading).toBe('true');
  });

  it('leaves the notice on when the environment asks for it', async () => {
    process.env[SWITCH] = 'false';
    await startServiceContext({ service: 'aiml-gateway', fields: {}, load: () => config });
    expect(process.env[SWITCH]).toBe('false');
  });
});
