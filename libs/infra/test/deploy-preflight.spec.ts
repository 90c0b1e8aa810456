import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const workspaceRoot = join(__dirname, '..', '..', '..');
const infraRoot = join(__dirname, '..');
const script = join(__dirname, '..', 'src', 'bin', 'cdk-stage.ts');

/** Staging's HTTPS, which its deploys and diffs now need, as a pipeline passes it. */
const STAGING_HTTPS = {
  DOCUTHINKER_STAGING_DOMAIN_NAME: 'staging.docuthinker.example.com',
  DOCUTHINKER_STAGING_CERTIFICATE_ARN: 'arn:aws:acm:us-east-1:123456789012:certificate/stg',
};

/**
 * Runs the script behind `nx synth|diff|deploy infra` the way Nx does, with
 * no AWS credentials anywhere: no AWS_* variables, an empty home, no instance
 * metadata service.
 */
function runStage(args: string[], extraEnv: Record<string, string> = {}) {
  const home = mkdtempSync(join(tmpdir(), 'infra-no-aws-'));
  try {
    const env = Object.fromEntries(
      Object.entries(process.env).filter(
        ([name]) => !name.startsWith('AWS_') && name !== 'IMAGE_TAG',
      ),
    );
    const result = spawnSync(process.execPath, ['-r', '@swc-node/register', script, ...args], {
      cwd: workspaceRoot,
      encoding: 'utf8',
      env: {
        ...env,
        HOME: home,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONFIG_FILE: join(home, 'config'),
        AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
        SWC_NODE_PROJECT: 'tsconfig.base.json',
        ...extraEnv,
      },
    });
    return {
      status: result.status,
      stderrLines: result.stderr.split('\n').filter((line) => line.trim() !== ''),
    };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

describe('nx deploy/diff infra preflight', () => {
  it('fails a deploy without AWS credentials in one clear line', () => {
    const { status, stderrLines } = runStage(['deploy', 'prod'], {
      IMAGE_TAG: '3f2c1ab',
      DOCUTHINKER_PROD_DOMAIN_NAME: 'docuthinker.example.com',
      DOCUTHINKER_PROD_CERTIFICATE_ARN: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
      DOCUTHINKER_PROD_PROVIDER_KEYS: 'openai',
      DOCUTHINKER_PROD_ALARM_EMAIL: 'oncall@docuthinker.example.com',
    });
    expect(status).toBe(1);
    expect(stderrLines).toEqual([
      expect.stringMatching(/^deploy infra \(prod\): no AWS credentials found/),
    ]);
  });

  // The alarm topic would have no subscriber: the stage's alarms would reach
  // nobody. Dr too, which serves production traffic after a failover.
  it.each(['prod', 'dr'])('refuses to deploy or diff %s without an alarm e-mail', (stage) => {
    const variable = `DOCUTHINKER_${stage.toUpperCase()}`;
    const settings = {
      IMAGE_TAG: '3f2c1ab',
      [`${variable}_DOMAIN_NAME`]: 'docuthinker.example.com',
      // A certificate of the stage's own region: the load balancer takes no other.
      [`${variable}_CERTIFICATE_ARN`]: `arn:aws:acm:${stage === 'dr' ? 'us-west-2' : 'us-east-1'}:123456789012:certificate/abc`,
      [`${variable}_PROVIDER_KEYS`]: 'openai',
    };
    for (const action of ['deploy', 'diff']) {
      const { status, stderrLines } = runStage([action, stage], settings);
      expect(status).toBe(1);
      expect(stderrLines).toEqual([
        expect.stringMatching(
          new RegExp(
            `^${action} infra \\(${stage}\\): no alarm e-mail - set ${variable}_ALARM_EMAIL`,
          ),
        ),
      ]);
    }
    // The plain variable (a GitHub environment's) and -c alarmEmail= count too.
    const noCredentials = new RegExp(`^deploy infra \\(${stage}\\): no AWS credentials found`);
    expect(
      runStage(['deploy', stage], { ...settings, DOCUTHINKER_ALARM_EMAIL: 'oncall@example.com' })
        .stderrLines,
    ).toEqual([expect.stringMatching(noCredentials)]);
    expect(
      runStage(['deploy', stage, '-c', 'alarmEmail=oncall@example.com'], settings).stderrLines,
    ).toEqual([expect.stringMatching(noCredentials)]);
  });

  it('fails a diff without AWS credentials in one clear line', () => {
    const { status, stderrLines } = runStage(['diff', 'staging'], {
      IMAGE_TAG: '3f2c1ab',
      ...STAGING_HTTPS,
      DOCUTHINKER_STAGING_PROVIDER_KEYS: 'anthropic',
    });
    expect(status).toBe(1);
    expect(stderrLines).toEqual([
      expect.stringMatching(/^diff infra \(staging\): no AWS credentials found/),
    ]);
  });

  // With NODE_ENV=production the gateway refuses to start without a provider,
  // and ECS would keep replacing it while the deploy waited.
  it('refuses to deploy a gateway that would have no LLM provider', () => {
    const { status, stderrLines } = runStage(['deploy', 'staging'], {
      IMAGE_TAG: '3f2c1ab',
      ...STAGING_HTTPS,
    });
    expect(status).toBe(1);
    expect(stderrLines).toEqual([
      expect.stringMatching(
        /^deploy infra \(staging\): the gateway has no LLM provider - set DOCUTHINKER_STAGING_PROVIDER_KEYS .* whose docuthinker\/staging\/<provider> key secret exists/,
      ),
    ]);
    const blank = runStage(['deploy', 'staging'], {
      IMAGE_TAG: '3f2c1ab',
      ...STAGING_HTTPS,
      DOCUTHINKER_STAGING_PROVIDER_KEYS: ' , ',
    });
    expect(blank.stderrLines).toEqual([expect.stringContaining('the gateway has no LLM provider')]);
  });

  it('takes the FastAPI container as the provider too', () => {
    const { stderrLines } = runStage(
      [
        'diff',
        'dev',
        '-c',
        'aimlUpstreamImage=123456789012.dkr.ecr.us-east-1.amazonaws.com/docuthinker-aiml:1',
      ],
      { IMAGE_TAG: '3f2c1ab' },
    );
    expect(stderrLines).toEqual([expect.stringMatching(/^diff infra \(dev\): no AWS credentials/)]);
  });

  it('refuses to deploy without IMAGE_TAG, and refuses latest in prod', () => {
    expect(runStage(['deploy', 'dev']).stderrLines).toEqual([
      expect.stringMatching(/^deploy infra \(dev\): IMAGE_TAG is not set/),
    ]);
    const latest = runStage(['deploy', 'prod'], { IMAGE_TAG: 'latest' });
    expect(latest.status).toBe(1);
    expect(latest.stderrLines).toEqual([expect.stringContaining('"latest" is refused for prod')]);
  });

  it('takes the image tag from -c imageTag= as well, as its error message offers', () => {
    const { stderrLines } = runStage(['diff', 'dev', '-c', 'imageTag=abc123'], {
      DOCUTHINKER_DEV_PROVIDER_KEYS: 'openai',
    });
    // Past the tag check: what stops it here is the missing AWS account.
    expect(stderrLines).toEqual([expect.stringMatching(/^diff infra \(dev\): no AWS credentials/)]);
    const joined = runStage(['diff', 'dev', '--context=imageTag=abc123'], {
      DOCUTHINKER_DEV_PROVIDER_KEYS: 'openai',
    });
    expect(joined.stderrLines).toEqual([
      expect.stringMatching(/^diff infra \(dev\): no AWS credentials/),
    ]);
    // The other context the preflight reads, in the joined form too.
    const https = runStage(
      ['deploy', 'staging', '--context=domainName=staging.docuthinker.example.com'],
      {
        IMAGE_TAG: '3f2c1ab',
        DOCUTHINKER_STAGING_CERTIFICATE_ARN: STAGING_HTTPS.DOCUTHINKER_STAGING_CERTIFICATE_ARN,
        DOCUTHINKER_STAGING_PROVIDER_KEYS: 'openai',
      },
    );
    expect(https.stderrLines).toEqual([
      expect.stringMatching(/^deploy infra \(staging\): no AWS credentials/),
    ]);
    const latest = runStage(['deploy', 'prod', '--context', 'imageTag=latest'], {
      IMAGE_TAG: '3f2c1ab',
    });
    expect(latest.stderrLines).toEqual([expect.stringContaining('"latest" is refused for prod')]);
  });

  it.each(['staging', 'prod', 'dr'])(
    'refuses to deploy %s without HTTPS settings, which would leave the load balancer on HTTP only',
    (stage) => {
      const { status, stderrLines } = runStage(['deploy', stage], { IMAGE_TAG: '3f2c1ab' });
      expect(status).toBe(1);
      expect(stderrLines).toEqual([
        expect.stringMatching(
          new RegExp(
            `^deploy infra \\(${stage}\\): HTTPS is not configured - set DOCUTHINKER_${stage.toUpperCase()}_DOMAIN_NAME`,
          ),
        ),
      ]);
    },
  );

  it('takes the HTTPS settings from the plain variables too, as a GitHub environment sets them', () => {
    const { stderrLines } = runStage(['diff', 'dr'], {
      IMAGE_TAG: '3f2c1ab',
      DOCUTHINKER_DOMAIN_NAME: 'dr.docuthinker.example.com',
      DOCUTHINKER_CERTIFICATE_ARN: 'arn:aws:acm:us-west-2:123456789012:certificate/def',
      DOCUTHINKER_PROVIDER_KEYS: 'google',
      DOCUTHINKER_ALARM_EMAIL: 'oncall@docuthinker.example.com',
    });
    // Past the HTTPS check: what stops it now is the missing AWS credentials.
    expect(stderrLines).toEqual([expect.stringMatching(/^diff infra \(dr\): no AWS credentials/)]);
  });

  it('lets dev alone deploy without HTTPS settings', () => {
    const { stderrLines } = runStage(['diff', 'dev'], {
      IMAGE_TAG: '3f2c1ab',
      DOCUTHINKER_DEV_PROVIDER_KEYS: 'openai',
    });
    expect(stderrLines).toEqual([expect.stringMatching(/^diff infra \(dev\): no AWS credentials/)]);
  });

  it('deploys the image repositories only from the stage that owns them, needing no image tag or HTTPS', () => {
    const notOwner = runStage(['deploy-registry', 'staging']);
    expect(notOwner.status).toBe(1);
    expect(notOwner.stderrLines).toEqual([
      'deploy-registry infra (staging): staging does not own the image repositories; prod does',
    ]);
    // Past every deploy preflight (tag, HTTPS, provider) to the credentials check.
    const owner = runStage(['deploy-registry', 'prod']);
    expect(owner.status).toBe(1);
    expect(owner.stderrLines).toEqual([
      expect.stringMatching(/^deploy-registry infra \(prod\): no AWS credentials found/),
    ]);
  });

  // Each of these used to reach the CDK app and come back as an uncaught
  // Error with a page of Node stack, inside the CLI's output.
  it.each([
    [
      'DOCUTHINKER_DEV_CORS_ORIGINS',
      'https://app.example.com/',
      'corsOrigins has an entry with a path or a trailing slash',
    ],
    ['DOCUTHINKER_DEV_PROVIDER_KEYS', 'opnai', 'aiProviders: unknown provider "opnai"'],
    ['DOCUTHINKER_REPLICATE_DOCUMENTS', 'true', 'replicateDocuments is on for dev'],
    ['DOCUTHINKER_DEV_REPLICATE_DOCUMENTS', 'yes', 'replicateDocuments must be true or false'],
    [
      'DOCUTHINKER_AIML_UPSTREAM_IMAGE',
      '111111111111.dkr.ecr.us-east-1.amazonaws.com/fastapi:1@sha256:ab',
      'Cannot read the ECR image',
    ],
  ])(
    'fails the synth in one line that names the setting when %s=%s',
    (variable, value, problem) => {
      const { status, stderrLines } = runStage(['synth', 'dev'], { [variable]: value });
      expect(status).toBe(1);
      expect(stderrLines).toEqual([
        expect.stringMatching(
          new RegExp(`^synth infra \\(dev\\): ${escapeRegExp(problem)}.*\\b${variable}\\b`),
        ),
      ]);
    },
  );

  // Found by an exploratory test: each of these synthesized, the listener
  // with CertificateArn "not-an-arn", the alarm topic mailing "oncall", dr
  // with prod's us-east-1 certificate (a load balancer takes its own region's only).
  const PROD_HTTPS = {
    DOCUTHINKER_PROD_DOMAIN_NAME: 'api.example.com',
    DOCUTHINKER_PROD_CERTIFICATE_ARN: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
    DOCUTHINKER_PROD_ALARM_EMAIL: 'oncall@example.com',
  };
  it.each([
    [
      'prod',
      { ...PROD_HTTPS, DOCUTHINKER_PROD_DOMAIN_NAME: 'https://api.example.com/' },
      'domainName must be a hostname such as api.example.com',
      'DOCUTHINKER_PROD_DOMAIN_NAME',
    ],
    [
      'prod',
      { ...PROD_HTTPS, DOCUTHINKER_PROD_CERTIFICATE_ARN: 'not-an-arn' },
      'certificateArn must be an ACM certificate ARN',
      'DOCUTHINKER_PROD_CERTIFICATE_ARN',
    ],
    [
      'prod',
      { ...PROD_HTTPS, DOCUTHINKER_PROD_ALARM_EMAIL: 'oncall' },
      'alarmEmail must be one e-mail address',
      'DOCUTHINKER_PROD_ALARM_EMAIL',
    ],
    [
      'dr',
      {
        DOCUTHINKER_DOMAIN_NAME: 'api.example.com',
        DOCUTHINKER_CERTIFICATE_ARN: PROD_HTTPS.DOCUTHINKER_PROD_CERTIFICATE_ARN,
      },
      "certificateArn is a certificate in us-east-1, but dr's load balancer is in us-west-2",
      'DOCUTHINKER_CERTIFICATE_ARN',
    ],
  ])(
    'fails the %s synth in one line on a malformed HTTPS or alarm setting (%j)',
    (stage, environment, problem, variable) => {
      const { status, stderrLines } = runStage(['synth', stage], environment);
      expect(status).toBe(1);
      expect(stderrLines).toEqual([
        expect.stringMatching(
          new RegExp(
            `^synth infra \\(${stage}\\): ${escapeRegExp(problem)}.*\\(from ${variable}\\)$`,
          ),
        ),
      ]);
    },
  );

  it('fails a deploy on a bad setting in one line too, before it needs AWS credentials', () => {
    const { status, stderrLines } = runStage(['deploy', 'dev'], {
      IMAGE_TAG: '3f2c1ab',
      DOCUTHINKER_DEV_PROVIDER_KEYS: 'openai',
      DOCUTHINKER_CORS_ORIGINS: 'https://app.example.com,https://*.example.com',
    });
    expect(status).toBe(1);
    expect(stderrLines).toEqual([
      expect.stringMatching(
        /^deploy infra \(dev\): corsOrigins .*"https:\/\/\*\.example\.com".*\(from DOCUTHINKER_CORS_ORIGINS\)$/,
      ),
    ]);
    // Given with -c, the setting is named as such and no variable is blamed.
    const given = runStage(['diff', 'dev', '-c', 'aiProviders=openai,skynet'], {
      IMAGE_TAG: '3f2c1ab',
      DOCUTHINKER_DEV_PROVIDER_KEYS: 'openai',
    });
    expect(given.stderrLines).toEqual([
      'diff infra (dev): aiProviders: unknown provider "skynet"; expected a comma-separated subset of openai, anthropic, google',
    ]);
  });

  // The CDK CLI uses the AWS SDK too, and read its environment before the
  // credentials check switched the SDK's Node-version notice off.
  it("keeps the AWS SDK's Node-version notice out of the CDK CLI's output", () => {
    const { status, stderrLines } = runStage(['deploy', 'dev'], {
      IMAGE_TAG: '3f2c1ab',
      DOCUTHINKER_DEV_PROVIDER_KEYS: 'openai',
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    });
    expect(status).not.toBe(0);
    // Past the preflight: the CLI itself ran and stopped at the dummy account.
    expect(stderrLines.join('\n')).toMatch(/Unable to resolve AWS account/);
    expect(stderrLines.join('\n')).not.toMatch(/NodeVersionSupportWarning|require node >=22/);
  });

  it('names the accepted stages when given another', () => {
    const { status, stderrLines } = runStage(['deploy', 'qa']);
    expect(status).toBe(1);
    expect(stderrLines).toEqual(['infra: stage must be one of dev, staging, prod, dr (got qa)']);
  });
});

describe('the CDK app run without the preflight (cdk synth by hand)', () => {
  it.each([
    [{ corsOrigins: 'https://app.example.com/' }, 'corsOrigins has an entry with a path'],
    [{ aiProviders: 'opnai' }, 'aiProviders: unknown provider "opnai"'],
    [{ replicateDocuments: 'true' }, 'replicateDocuments is on for dev'],
    [
      {
        domainName: 'api.example.com',
        certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
      },
      "certificateArn is a certificate in eu-west-1, but dev's load balancer is in us-east-1",
    ],
    [{ alarmEmail: 'oncall' }, 'alarmEmail must be one e-mail address'],
  ])('prints a bad setting (%j) as one line, without a stack', (context, problem) => {
    const outdir = mkdtempSync(join(tmpdir(), 'infra-app-'));
    try {
      const result = spawnSync(
        process.execPath,
        ['-r', '@swc-node/register', join('src', 'bin', 'app.ts')],
        {
          cwd: infraRoot,
          encoding: 'utf8',
          env: {
            ...process.env,
            SWC_NODE_PROJECT: join(workspaceRoot, 'tsconfig.base.json'),
            // How the CDK CLI hands the app its context and output directory.
            CDK_CONTEXT_JSON: JSON.stringify({ stage: 'dev', synthOnly: 'true', ...context }),
            CDK_OUTDIR: outdir,
          },
        },
      );
      expect(result.status).toBe(1);
      expect(result.stderr.split('\n').filter((line) => line.trim() !== '')).toEqual([
        expect.stringMatching(new RegExp(`^infra \\(dev\\): ${escapeRegExp(problem)}`)),
      ]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
