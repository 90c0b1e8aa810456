import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GitHubOidcStack, gitHubSubjects, type GitHubOidcStackProps } from '../../src/github-oidc';
import { pick, TEST_CONTEXT, type CfnJson } from '../support/synth-stage';

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

function statements(template: Template): CfnJson[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies).flatMap(
    (policy: CfnJson) => policy.Properties.PolicyDocument.Statement,
  );
}

function statement(template: Template, sid: string): CfnJson {
  const found = statements(template).find((candidate) => candidate.Sid === sid);
  if (!found) throw new Error(`no statement ${sid}`);
  return found;
}

/** Resource ARNs with CloudFormation's partition and account references flattened to text. */
function resourceText(resource: CfnJson): string {
  if (typeof resource === 'string') return resource;
  const [, parts] = resource['Fn::Join'] as [string, CfnJson[]];
  return parts.map((part) => (typeof part === 'string' ? part : `<${part.Ref}>`)).join('');
}

function resources(template: Template, sid: string): string[] {
  const { Resource } = statement(template, sid);
  return (Array.isArray(Resource) ? Resource : [Resource]).map(resourceText);
}

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
    existing.template.hasResourceProperties('AWS::IAM::Role', {
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

  it('trusts only main and the stage environments of this repository, by exact sub claim', () => {
    const role = Object.values(template.findResources('AWS::IAM::Role'))[0] as CfnJson;
    const [trust] = role.Properties.AssumeRolePolicyDocument.Statement;
    expect(trust.Action).toBe('sts:AssumeRoleWithWebIdentity');
    expect(trust.Condition).toEqual({
      StringEquals: {
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:sub': [
          `repo:${REPOSITORY}:ref:refs/heads/main`,
          `repo:${REPOSITORY}:environment:dev`,
          `repo:${REPOSITORY}:environment:staging`,
          `repo:${REPOSITORY}:environment:prod`,
          `repo:${REPOSITORY}:environment:dr`,
        ],
      },
    });
    expect(role.Properties.MaxSessionDuration).toBe(3600);
  });

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

  it('pushes to the two image repositories in the registry region, nowhere else', () => {
    expect(resources(template, 'PushServiceImages')).toEqual([
      'arn:<AWS::Partition>:ecr:us-east-1:<AWS::AccountId>:repository/docuthinker-backend',
      'arn:<AWS::Partition>:ecr:us-east-1:<AWS::AccountId>:repository/docuthinker-ai-ml',
    ]);
    expect(statement(template, 'PushServiceImages').Action).not.toContain('ecr:DeleteRepository');
  });

  it("reads only the stages' ECS services, by cluster and name", () => {
    const services = resources(template, 'ReadStageServices');
    expect(services).toHaveLength(12);
    expect(services).toContain(
      'arn:<AWS::Partition>:ecs:us-east-1:<AWS::AccountId>:service/docuthinker-cluster-staging/backend-service',
    );
    expect(services).toContain(
      'arn:<AWS::Partition>:ecs:us-west-2:<AWS::AccountId>:service/docuthinker-cluster/chroma-service',
    );
    expect(statement(template, 'ReadStageServices').Action).toBe('ecs:DescribeServices');
  });

  it('reads the DocuThinker stacks and changes none of them itself', () => {
    const readStacks = statement(template, 'ReadPlatformStacks');
    expect(
      readStacks.Action.every((action: string) => /^cloudformation:(Describe|Get)/.test(action)),
    ).toBe(true);
    expect(resources(template, 'ReadPlatformStacks')).toContain(
      'arn:<AWS::Partition>:cloudformation:us-east-1:<AWS::AccountId>:stack/DocuThinker-prod-Platform/*',
    );
  });

  it('passes only the platform task roles, and only to ECS tasks', () => {
    const passRole = statement(template, 'PassPlatformTaskRoles');
    expect(passRole.Action).toBe('iam:PassRole');
    expect(passRole.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
    });
    expect(resources(template, 'PassPlatformTaskRoles')).toEqual(
      ['dev', 'staging', 'prod', 'dr'].map(
        (stage) =>
          `arn:<AWS::Partition>:iam::<AWS::AccountId>:role/DocuThinker-${stage}-Platform-*`,
      ),
    );
  });

  it('assumes exactly the cdk bootstrap roles of the stage regions', () => {
    const bootstrapRoles = resources(template, 'AssumeCdkBootstrapRoles');
    expect(bootstrapRoles).toHaveLength(8);
    expect(bootstrapRoles).toContain(
      'arn:<AWS::Partition>:iam::<AWS::AccountId>:role/cdk-hnb659fds-deploy-role-<AWS::AccountId>-us-west-2',
    );
    expect(statement(template, 'AssumeCdkBootstrapRoles').Action).toBe('sts:AssumeRole');
  });

  it('narrows everything to the stages it is given', () => {
    const stagingOnly = synth({ stages: ['staging'], cdkQualifier: 'docu123' });
    expect(resources(stagingOnly.template, 'AssumeCdkBootstrapRoles')).toHaveLength(4);
    expect(resources(stagingOnly.template, 'AssumeCdkBootstrapRoles')[0]).toContain('cdk-docu123-');
    expect(resources(stagingOnly.template, 'PassPlatformTaskRoles')).toEqual([
      'arn:<AWS::Partition>:iam::<AWS::AccountId>:role/DocuThinker-staging-Platform-*',
    ]);
  });

  it('uses a wildcard resource only where the action has no resource-level permission', () => {
    const unscoped = statements(template).filter((candidate) => candidate.Resource === '*');
    expect(unscoped.map((candidate) => candidate.Action).sort()).toEqual([
      'ecr:GetAuthorizationToken',
      'ecs:DescribeTaskDefinition',
    ]);
    for (const candidate of statements(template)) {
      const actions: string[] = [candidate.Action].flat();
      expect(actions.filter((action) => action.includes('*'))).toEqual([]);
    }
  });

  it('outputs the role ARN for the AWS_DEPLOY_ROLE_ARN secret', () => {
    expect(pick(template.findOutputs('DeployRoleArn'), 'DeployRoleArn')).toBeDefined();
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
