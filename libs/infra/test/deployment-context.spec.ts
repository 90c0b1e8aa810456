import { PLATFORM_SECRETS } from '@docuthinker/config';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { AI_PROVIDER_SECRETS, aiProvidersFromContext } from '../src/secrets/ai-providers';
import { containerImageFrom, parseEcrImage } from '../src/services/registry-image';
import {
  container,
  executionRoleStatements,
  pick,
  synthStage,
  taskDefinitions,
  TEST_CONTEXT,
  type CfnJson,
  type SynthesizedStage,
} from './support/synth-stage';

/**
 * Per-deployment `-c` values the platform stack reads itself: `aiProviders`
 * (which optional provider keys exist) and where the FastAPI sidecar image
 * lives (`aimlUpstreamImage`, private ECR or another registry).
 */
const PUBLIC_UPSTREAM_IMAGE = 'ghcr.io/org/fastapi:1';
const DIGEST = `sha256:${'ab12'.repeat(16)}`;

const PROVIDER_VARIABLES = PLATFORM_SECRETS.filter((entry) => !entry.required).map(
  (entry) => entry.variable,
);

function gatewaySecretNames(stage: SynthesizedStage): string[] {
  const gateway = container(pick(taskDefinitions(stage.platform), 'aiml-gateway'), 'aiml-gateway');
  return (gateway.Secrets ?? []).map((secret) => secret.Name);
}

/** Resources of the execution-role statements that allow pulling image layers. */
function pullResources(statements: CfnJson[]): unknown[] {
  return statements
    .filter((statement) => [statement.Action].flat().includes('ecr:BatchGetImage'))
    .flatMap((statement) => [statement.Resource].flat());
}

describe('aiProviders context value', () => {
  it('means no provider when unset or blank', () => {
    expect(aiProvidersFromContext(undefined)).toEqual([]);
    expect(aiProvidersFromContext('')).toEqual([]);
    expect(aiProvidersFromContext(' , ')).toEqual([]);
  });

  it('reads a comma-separated subset (or a cdk.json list), in catalogue order, without duplicates', () => {
    expect(aiProvidersFromContext('google, openai,OpenAI')).toEqual(['openai', 'google']);
    expect(aiProvidersFromContext(['anthropic'])).toEqual(['anthropic']);
  });

  it('rejects an unknown provider with a message naming it and the valid ones', () => {
    expect(() => aiProvidersFromContext('openai,skynet')).toThrow(
      'aiProviders: unknown provider "skynet"; expected a comma-separated subset of openai, anthropic, google',
    );
    expect(() => aiProvidersFromContext(3)).toThrow(/comma-separated list/);
  });

  it('names only optional secrets of the catalogue', () => {
    for (const name of AI_PROVIDER_SECRETS) {
      expect(PLATFORM_SECRETS.find((entry) => entry.name === name)).toMatchObject({
        required: false,
        services: ['aiml-gateway'],
      });
    }
  });
});

describe('ECR image URIs', () => {
  it('splits a private ECR URI with a tag, a digest or neither', () => {
    expect(
      parseEcrImage('111111111111.dkr.ecr.us-east-1.amazonaws.com/docuthinker-fastapi:3f2c1ab'),
    ).toEqual({
      account: '111111111111',
      region: 'us-east-1',
      partition: 'aws',
      repositoryName: 'docuthinker-fastapi',
      tagOrDigest: '3f2c1ab',
    });
    expect(
      parseEcrImage(`222222222222.dkr.ecr.eu-west-1.amazonaws.com/team/fastapi@${DIGEST}`),
    ).toMatchObject({
      repositoryName: 'team/fastapi',
      tagOrDigest: DIGEST,
    });
    expect(parseEcrImage('333333333333.dkr.ecr.cn-north-1.amazonaws.com.cn/fastapi')).toMatchObject(
      {
        partition: 'aws-cn',
        tagOrDigest: 'latest',
      },
    );
  });

  it.each([
    PUBLIC_UPSTREAM_IMAGE,
    'public.ecr.aws/org/fastapi:1',
    'tiangolo/uvicorn-gunicorn-fastapi:python3.11',
  ])('leaves %s to the registry it names', (image) => {
    expect(parseEcrImage(image)).toBeUndefined();
  });

  it('refuses an ECR host it cannot read rather than pulling without rights', () => {
    const stack = new Stack(new App({ context: TEST_CONTEXT }), 'Images');
    expect(() =>
      containerImageFrom(
        stack,
        'Repository',
        `111111111111.dkr.ecr.us-east-1.amazonaws.com/fastapi:1@${DIGEST}`,
        'aimlUpstreamImage',
      ),
    ).toThrow(/Cannot read the ECR image/);
  });

  it('pins a digest and grants the pull on that repository', () => {
    const app = new App({ context: TEST_CONTEXT });
    const stack = new Stack(app, 'Images', {
      env: { account: '111111111111', region: 'us-east-1' },
    });
    const task = new ecs.FargateTaskDefinition(stack, 'Task');
    task.addContainer('app', {
      image: containerImageFrom(
        stack,
        'Repository',
        `222222222222.dkr.ecr.eu-west-1.amazonaws.com/team/fastapi@${DIGEST}`,
        'aimlUpstreamImage',
      ),
    });
    const template = Template.fromStack(stack);
    const [definition] = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
    expect(JSON.stringify(definition?.Properties.ContainerDefinitions[0].Image)).toContain(
      `/team/fastapi@${DIGEST}`,
    );
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as CfnJson[],
    );
    expect(pullResources(statements)).toEqual([
      'arn:aws:ecr:eu-west-1:222222222222:repository/team/fastapi',
    ]);
  });
});

describe('gateway task with aiProviders=openai,google and a public FastAPI image (dev)', () => {
  let stage: SynthesizedStage;
  beforeAll(() => {
    stage = synthStage(
      'dev',
      { aimlUpstreamImage: PUBLIC_UPSTREAM_IMAGE },
      { aiProviders: 'openai,google' },
    );
  });

  it('injects exactly the OpenAI and Google keys among the optional provider secrets', () => {
    const names = gatewaySecretNames(stage);
    expect(names.filter((name) => PROVIDER_VARIABLES.includes(name)).sort()).toEqual([
      'GOOGLE_API_KEY',
      'OPENAI_API_KEY',
    ]);
    const json = JSON.stringify(stage.platform.toJSON());
    expect(json).toContain(':secret:docuthinker/dev/openai');
    expect(json).toContain(':secret:docuthinker/dev/google');
    expect(json).not.toContain(':secret:docuthinker/dev/anthropic');
  });

  it('does not warn about a gateway without an LLM provider', () => {
    expect(
      Annotations.fromStack(stage.stacks.platform).findWarning(
        '*',
        Match.stringLikeRegexp('gateway gets no LLM provider'),
      ),
    ).toEqual([]);
  });

  it('keeps every required gateway secret', () => {
    const required = PLATFORM_SECRETS.filter(
      (entry) => entry.required && entry.services.includes('aiml-gateway'),
    ).map((entry) => entry.variable);
    expect(gatewaySecretNames(stage)).toEqual(expect.arrayContaining(required));
  });

  it('pulls a public sidecar image by name and grants no extra ECR repository', () => {
    const gateway = pick(taskDefinitions(stage.platform), 'aiml-gateway');
    expect(container(gateway, 'aiml-upstream').Image).toBe(PUBLIC_UPSTREAM_IMAGE);
    const resources = pullResources(executionRoleStatements(stage.platform, gateway));
    // Only the gateway's own repository.
    expect(resources).toHaveLength(1);
    expect(JSON.stringify(resources)).toContain('docuthinker-ai-ml');
  });
});

describe('an unknown aiProviders name', () => {
  it('fails the synth with a clear error', () => {
    expect(() => synthStage('dev', {}, { aiProviders: 'openai,skynet' })).toThrow(
      /aiProviders: unknown provider "skynet"/,
    );
  });
});
