import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { App, type DefaultStackSynthesizer, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  deployRoleOutputId,
  diffRoleOutputId,
  GitHubOidcStack,
  gitHubSubjects,
  type GitHubOidcStackProps,
} from '../../src/github-oidc';
import { STAGE_NAMES, STAGE_SETTINGS, type StageName } from '../../src/settings/stage-settings';
import { pick, synthStage, TEST_CONTEXT, type CfnJson } from '../support/synth-stage';

/** Where tools/ci lives: the deploy and rollback steps name the stacks from there. */
const WORKSPACE_ROOT = join(__dirname, '..', '..', '..', '..');

const REPOSITORY = 'docuthinker/platform';

function synth(props: Partial<GitHubOidcStackProps> = {}): { stack: Stack; template: Template } {
  const app = new App({ context: TEST_CONTEXT });
  const stack = new GitHubOidcStack(app, 'GitHubOidc', {
    repository: REPOSITORY,
    env: { region: 'us-east-1' },
    ...props,
  });
  return { stack, template: Template.fromStack(stack) };
}

/** The logical id of a role, by the construct id GitHubDeployAccess gives it. */
function roleId(template: Template, constructId: string): string {
  const ids = Object.keys(template.findResources('AWS::IAM::Role')).filter((id) =>
    id.startsWith(`GitHubDeploy${constructId.replace(/-/g, '')}`),
  );
  if (ids.length !== 1)
    throw new Error(`expected one role ${constructId}, found ${ids.join(', ')}`);
  return ids[0] as string;
}

const publishRole = (template: Template) => roleId(template, 'PublishImages');
const deployRole = (template: Template, stage: StageName) => roleId(template, `Deploy-${stage}`);
const diffRole = (template: Template, stage: StageName) => roleId(template, `Diff-${stage}`);

/** The statements of one role's default policy. */
function statements(template: Template, role: string): CfnJson[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter(
    (policy: CfnJson) => policy.Properties.Roles.some((ref: CfnJson) => ref.Ref === role),
  );
  return policies.flatMap((policy: CfnJson) => policy.Properties.PolicyDocument.Statement);
}

function allStatements(template: Template): CfnJson[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (policy: CfnJson) => policy.Properties.PolicyDocument.Statement,
  );
}

function statement(template: Template, role: string, sid: string): CfnJson | undefined {
  return statements(template, role).find((candidate) => candidate.Sid === sid);
}

/** Resource ARNs with CloudFormation's partition and account references flattened to text. */
function resourceText(resource: CfnJson): string {
  if (typeof resource === 'string') return resource;
  const [, parts] = resource['Fn::Join'] as [string, CfnJson[]];
  return parts.map((part) => (typeof part === 'string' ? part : `<${part.Ref}>`)).join('');
}

function resources(template: Template, role: string, sid: string): string[] {
  const found = statement(template, role, sid);
  if (!found) throw new Error(`no statement ${sid} on ${role}`);
  const { Resource } = found;
  return (Array.isArray(Resource) ? Resource : [Resource]).map(resourceText);
}

/** Every resource a role's policy allows, flattened. */
function allResources(template: Template, role: string): string[] {
  return statements(template, role).flatMap((candidate) =>
    [candidate.Resource].flat().map(resourceText),
  );
}

function trustedSubjects(template: Template, role: string): string[] {
  const resource = template.findResources('AWS::IAM::Role')[role] as CfnJson;
  const [trust] = resource.Properties.AssumeRolePolicyDocument.Statement;
  expect(trust.Action).toBe('sts:AssumeRoleWithWebIdentity');
  expect(trust.Condition.StringEquals['token.actions.githubusercontent.com:aud']).toBe(
    'sts.amazonaws.com',
  );
  return [trust.Condition.StringEquals['token.actions.githubusercontent.com:sub']].flat();
}

const bootstrapRole = (qualifier: string, role: string, region: string) =>
  `arn:<AWS::Partition>:iam::<AWS::AccountId>:role/cdk-${qualifier}-${role}-role-<AWS::AccountId>-${region}`;

describe('GitHub OIDC deploy access', () => {
  const { stack, template } = synth();

  it("creates GitHub's OIDC provider for the STS audience", () => {
    template.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    template.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
  });

  it('reuses an existing provider instead of creating a second one', () => {
    const existing = synth({
      existingProviderArn:
        'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
    });
    existing.template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    existing.template.allResourcesProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: {
              Federated:
                'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
            },
          }),
        ],
      },
    });
  });

  it('has one image-publishing role, and one deploy role and one diff role per stage', () => {
    template.resourceCountIs('AWS::IAM::Role', 1 + 2 * STAGE_NAMES.length);
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'docuthinker-github-publish-images',
    });
    for (const stage of STAGE_NAMES) {
      template.hasResourceProperties('AWS::IAM::Role', {
        RoleName: `docuthinker-github-deploy-${stage}`,
        MaxSessionDuration: 3600,
      });
    }
  });

  it('lets only environment-less jobs on main publish images, by exact sub claim', () => {
    expect(trustedSubjects(template, publishRole(template))).toEqual([
      `repo:${REPOSITORY}:ref:refs/heads/main`,
    ]);
  });

  it.each(STAGE_NAMES)(
    'lets only jobs in the GitHub environment %s assume that stage role',
    (stage) => {
      expect(trustedSubjects(template, deployRole(template, stage))).toEqual([
        `repo:${REPOSITORY}:environment:${stage}`,
      ]);
    },
  );

  it.each(STAGE_NAMES)(
    'lets only jobs in the GitHub environment %s-diff read that stage for a diff, and nothing more',
    (stage) => {
      const role = diffRole(template, stage);
      expect(trustedSubjects(template, role)).toEqual([
        `repo:${REPOSITORY}:environment:${stage}-diff`,
      ]);
      const { cdkQualifier, region } = STAGE_SETTINGS[stage];
      expect(resources(template, role, 'AssumeStageCdkLookupRole')).toEqual([
        bootstrapRole(cdkQualifier, 'lookup', region),
      ]);
      const actions = statements(template, role).flatMap((candidate) => [candidate.Action].flat());
      expect(
        actions.every((action: string) =>
          /^(sts:AssumeRole|cloudformation:(Describe|Get)\w+)$/.test(action),
        ),
      ).toBe(true);
    },
  );

  it('refuses wildcards and malformed repositories in the trusted subjects', () => {
    expect(() =>
      gitHubSubjects({ repository: REPOSITORY, branches: ['*'], environments: [] }),
    ).toThrow(/no wildcards/);
    expect(() =>
      gitHubSubjects({ repository: 'platform', branches: ['main'], environments: [] }),
    ).toThrow(/owner\/name/);
    expect(
      gitHubSubjects({ repository: 'acme@1/platform@2', branches: [], environments: ['prod'] }),
    ).toEqual(['repo:acme@1/platform@2:environment:prod']);
  });

  it('pushes to the two image repositories in the registry region, and deploys nothing', () => {
    const publish = publishRole(template);
    expect(resources(template, publish, 'PushServiceImages')).toEqual([
      'arn:<AWS::Partition>:ecr:us-east-1:<AWS::AccountId>:repository/docuthinker-backend',
      'arn:<AWS::Partition>:ecr:us-east-1:<AWS::AccountId>:repository/docuthinker-ai-ml',
    ]);
    expect(statement(template, publish, 'PushServiceImages')?.Action).not.toContain(
      'ecr:DeleteRepository',
    );
    const actions = statements(template, publish).flatMap((candidate) => [candidate.Action].flat());
    expect(actions.filter((action: string) => !action.startsWith('ecr:'))).toEqual([]);
  });

  it('gives no stage role the image push', () => {
    for (const stage of STAGE_NAMES) {
      expect(statement(template, deployRole(template, stage), 'PushServiceImages')).toBeUndefined();
    }
  });

  it("reads only its own stage's ECS services, by cluster and name", () => {
    const staging = resources(template, deployRole(template, 'staging'), 'ReadStageServices');
    expect(staging).toEqual(
      ['backend-service', 'aiml-service', 'chroma-service'].map(
        (service) =>
          `arn:<AWS::Partition>:ecs:us-east-1:<AWS::AccountId>:service/docuthinker-cluster-staging/${service}`,
      ),
    );
    expect(resources(template, deployRole(template, 'dr'), 'ReadStageServices')).toContain(
      'arn:<AWS::Partition>:ecs:us-west-2:<AWS::AccountId>:service/docuthinker-cluster/chroma-service',
    );
    expect(statement(template, deployRole(template, 'staging'), 'ReadStageServices')?.Action).toBe(
      'ecs:DescribeServices',
    );
  });

  it("reads only its own stage's stacks and changes none of them itself", () => {
    const prod = deployRole(template, 'prod');
    const readStacks = statement(template, prod, 'ReadPlatformStacks');
    expect(
      readStacks.Action.every((action: string) => /^cloudformation:(Describe|Get)/.test(action)),
    ).toBe(true);
    // Every stack its deploy and rollback steps name (prod also deploys the image registry).
    expect(resources(template, prod, 'ReadPlatformStacks')).toEqual([
      'arn:<AWS::Partition>:cloudformation:us-east-1:<AWS::AccountId>:stack/DocuThinker-Registry/*',
      'arn:<AWS::Partition>:cloudformation:us-east-1:<AWS::AccountId>:stack/DocuThinker-prod-Network/*',
      'arn:<AWS::Partition>:cloudformation:us-east-1:<AWS::AccountId>:stack/DocuThinker-prod-Platform/*',
    ]);
    for (const stage of STAGE_NAMES) {
      const stacks = execFileSync(
        'bash',
        ['-c', 'source tools/ci/lib/stage-facts.sh && ci_stage_stacks "$1"', '-', stage],
        { cwd: WORKSPACE_ROOT, encoding: 'utf8' },
      )
        .trim()
        .split('\n');
      const readable = resources(template, deployRole(template, stage), 'ReadPlatformStacks');
      expect(readable.map((arn: string) => /:stack\/([^/]+)\/\*$/.exec(arn)?.[1])).toEqual(stacks);
    }
  });

  it('passes no role: task definitions are registered by CloudFormation, through the bootstrap roles', () => {
    // Found in review: a PassRole for a hand-registered task definition the
    // role could not register (no ecs:RegisterTaskDefinition) was a grant with no use.
    const actions = allStatements(template).flatMap((granted) => [granted.Action].flat());
    expect(actions.length).toBeGreaterThan(0);
    expect(actions).not.toContain('iam:PassRole');
  });

  it('lets prod alone tag the images it was verified on, and do nothing else in ECR', () => {
    // Found in review: dev and staging held the same rights on the images
    // prod runs (no IAM condition narrows them to a stage's own tags), so a
    // staging job could delete them. DR pulls its region's replicas.
    for (const stage of ['dev', 'staging', 'dr'] as const) {
      expect(
        statements(template, deployRole(template, stage)).filter((candidate) =>
          JSON.stringify(candidate.Action).includes('ecr:'),
        ),
      ).toEqual([]);
    }
    {
      const role = deployRole(template, 'prod');
      expect(statement(template, role, 'TagDeployedImages')?.Action).toEqual([
        'ecr:BatchDeleteImage',
        'ecr:BatchGetImage',
        'ecr:DescribeImages',
        'ecr:PutImage',
      ]);
      expect(resources(template, role, 'TagDeployedImages')).toEqual(
        ['docuthinker-backend', 'docuthinker-ai-ml'].map(
          (repository) =>
            `arn:<AWS::Partition>:ecr:us-east-1:<AWS::AccountId>:repository/${repository}`,
        ),
      );
      const ecrActions = statements(template, role)
        .flatMap((candidate) => [candidate.Action].flat())
        .filter((action: string) => action.startsWith('ecr:'));
      expect(ecrActions.sort()).toEqual([
        'ecr:BatchDeleteImage',
        'ecr:BatchGetImage',
        'ecr:DescribeImages',
        'ecr:PutImage',
      ]);
    }
  });

  it.each(STAGE_NAMES)(
    "assumes exactly the cdk bootstrap roles of %s's own qualifier and region",
    (stage) => {
      const { cdkQualifier, region } = STAGE_SETTINGS[stage];
      const role = deployRole(template, stage);
      expect(resources(template, role, 'AssumeStageCdkBootstrapRoles')).toEqual(
        ['deploy', 'file-publishing', 'image-publishing', 'lookup'].map((name) =>
          bootstrapRole(cdkQualifier, name, region),
        ),
      );
      expect(statement(template, role, 'AssumeStageCdkBootstrapRoles')?.Action).toBe(
        'sts:AssumeRole',
      );
    },
  );

  it("never lets one stage's role reach another stage's bootstrap roles or stacks", () => {
    for (const stage of STAGE_NAMES) {
      const allowed = allResources(template, deployRole(template, stage)).join('\n');
      for (const other of STAGE_NAMES.filter((candidate) => candidate !== stage)) {
        expect(allowed).not.toContain(`cdk-${STAGE_SETTINGS[other].cdkQualifier}-`);
        expect(allowed).not.toContain(`DocuThinker-${other}-`);
      }
      // Neither the default qualifier (shared by every stack bootstrapped without one) nor any wildcard role.
      expect(allowed).not.toContain('cdk-hnb659fds-');
      expect(allowed).not.toMatch(/role\/cdk-\*/);
    }
  });

  it('gives a dev job no statement that allows a prod bootstrap role', () => {
    const prodDeploy = bootstrapRole(STAGE_SETTINGS.prod.cdkQualifier, 'deploy', 'us-east-1');
    const dev = statements(template, deployRole(template, 'dev'));
    const assumesRoles = dev.filter((candidate) =>
      [candidate.Action]
        .flat()
        .some((action: string) => /^(\*|sts:\*|sts:AssumeRole)$/.test(action)),
    );
    expect(assumesRoles).not.toEqual([]);
    const allowsProd = assumesRoles.filter((candidate) =>
      [candidate.Resource]
        .flat()
        .map(resourceText)
        .some((resource: string) => {
          const pattern = new RegExp(
            `^${resource.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`,
          );
          return pattern.test(prodDeploy);
        }),
    );
    expect(allowsProd.map((candidate) => candidate.Sid)).toEqual([]);
  });

  it('deploys each stage through its own bootstrap qualifier, the one its role may assume', () => {
    const qualifiers = STAGE_NAMES.map((stage) => STAGE_SETTINGS[stage].cdkQualifier);
    expect(new Set(qualifiers).size).toBe(STAGE_NAMES.length);
    for (const qualifier of qualifiers) expect(qualifier).toMatch(/^[a-z0-9]{1,10}$/);
    const prod = synthStage('prod');
    const { network, platform, registry } = prod.stacks;
    expect(registry).toBeDefined();
    for (const stageStack of [network, platform, ...(registry ? [registry] : [])]) {
      const synthesizer = stageStack.synthesizer as DefaultStackSynthesizer;
      expect(synthesizer.deployRoleArn).toContain('cdk-dtprod-deploy-role-');
    }
    expect(prod.platform.toJSON().Parameters.BootstrapVersion.Default).toBe(
      '/cdk-bootstrap/dtprod/version',
    );
  });

  it('narrows to the stages and qualifiers it is given', () => {
    const stagingOnly = synth({ stages: ['staging'], cdkQualifiers: { staging: 'docu123' } });
    stagingOnly.template.resourceCountIs('AWS::IAM::Role', 3);
    const role = deployRole(stagingOnly.template, 'staging');
    expect(resources(stagingOnly.template, role, 'AssumeStageCdkBootstrapRoles')).toHaveLength(4);
    expect(resources(stagingOnly.template, role, 'AssumeStageCdkBootstrapRoles')[0]).toContain(
      'cdk-docu123-',
    );
  });

  it('uses a wildcard resource only where the action has no resource-level permission', () => {
    const unscoped = allStatements(template).filter((candidate) => candidate.Resource === '*');
    expect([...new Set(unscoped.map((candidate) => candidate.Action))].sort()).toEqual([
      'ecr:GetAuthorizationToken',
      'ecs:DescribeTaskDefinition',
    ]);
    for (const candidate of allStatements(template)) {
      const actions: string[] = [candidate.Action].flat();
      expect(actions.filter((action) => action.includes('*'))).toEqual([]);
    }
  });

  it('outputs the publish role for the repository secret and each stage role for its environment secret', () => {
    expect(pick(template.findOutputs('PublishRoleArn'), 'PublishRoleArn')).toBeDefined();
    for (const stage of STAGE_NAMES) {
      const id = deployRoleOutputId(stage);
      expect(pick(template.findOutputs(id), id).Description).toContain(
        `AWS_DEPLOY_ROLE_ARN of the GitHub environment ${stage})`,
      );
      const diffId = diffRoleOutputId(stage);
      expect(pick(template.findOutputs(diffId), diffId).Description).toContain(
        `AWS_DEPLOY_ROLE_ARN of the GitHub environment ${stage}-diff)`,
      );
    }
  });

  it.each([
    ['an account-agnostic stack', undefined],
    ['a stack pinned to an account', '123456789012'],
  ])('has no unacknowledged cdk-nag AwsSolutions finding in %s', (_label, account) => {
    const pinned = account ? synth({ env: { account, region: 'us-east-1' } }).stack : stack;
    const report = new AwsSolutionsChecks().validateScope(pinned);
    const findings = report.violations.flatMap((violation) =>
      violation.violatingResources.map(
        (resource) =>
          `${violation.ruleName} ${resource.constructPath ?? resource.resourceLogicalId}`,
      ),
    );
    expect(findings).toEqual([]);
  });
});
