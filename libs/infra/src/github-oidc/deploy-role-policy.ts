import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { BACKEND, CHROMA, GATEWAY } from '../settings/platform-constants';
import { clusterNameFor, stackNameFor } from '../settings/stage-names';
import { STAGE_SETTINGS, type StageName } from '../settings/stage-settings';

/** The default qualifier of `cdk bootstrap`; a custom one is passed in. */
export const DEFAULT_CDK_QUALIFIER = 'hnb659fds';

/** Roles `cdk bootstrap` creates per account and region, which `cdk deploy` assumes. */
const CDK_BOOTSTRAP_ROLES = ['deploy', 'file-publishing', 'image-publishing', 'lookup'] as const;

/** ECR actions `docker push` and the push-images step's checks need, and nothing else. */
const IMAGE_PUSH_ACTIONS = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:InitiateLayerUpload',
  'ecr:UploadLayerPart',
  'ecr:CompleteLayerUpload',
  'ecr:PutImage',
  'ecr:BatchGetImage',
  'ecr:DescribeRepositories',
  'ecr:DescribeImages',
];

export interface WildcardReason {
  /** The resource as cdk-nag names it in an AwsSolutions-IAM5 finding. */
  readonly resource: string;
  readonly reason: string;
}

export interface DeployRolePolicy {
  readonly statements: iam.PolicyStatement[];
  /** Why each wildcard resource below is as narrow as it can be. */
  readonly wildcards: WildcardReason[];
}

export interface DeployRolePolicyOptions {
  /** Stages the role deploys: their regions, clusters and stacks bound every resource below. */
  readonly stages: readonly StageName[];
  readonly cdkQualifier: string;
}

function regionsOf(stages: readonly StageName[]): string[] {
  return [...new Set(stages.map((stage) => STAGE_SETTINGS[stage].region))];
}

/** The stage that creates the image repositories; the others import them or read replicas. */
function imageRegistryRegion(): string {
  const owner = Object.values(STAGE_SETTINGS).find((settings) => settings.ownsImageRepositories);
  if (!owner) throw new Error('no stage owns the image repositories');
  return owner.region;
}

/**
 * What the pipeline's tools/ci steps do in AWS, as policy statements: push the
 * two images, read what the stages run, hand `cdk deploy` to the bootstrap
 * roles, read the platform stacks. CloudFormation changes themselves happen
 * under the bootstrap deploy role, so this role never holds them.
 */
export function deployRoleStatements(
  scope: Stack,
  options: DeployRolePolicyOptions,
): DeployRolePolicy {
  const { stages } = options;
  const registryRegion = imageRegistryRegion();

  const pushImages = new iam.PolicyStatement({
    sid: 'PushServiceImages',
    actions: IMAGE_PUSH_ACTIONS,
    resources: [BACKEND.repositoryName, GATEWAY.repositoryName].map((repositoryName) =>
      scope.formatArn({
        service: 'ecr',
        region: registryRegion,
        resource: 'repository',
        resourceName: repositoryName,
      }),
    ),
  });

  // The registry login has no resource-level permission.
  const registryLogin = new iam.PolicyStatement({
    sid: 'LogInToRegistry',
    actions: ['ecr:GetAuthorizationToken'],
    resources: ['*'],
  });

  const readServices = new iam.PolicyStatement({
    sid: 'ReadStageServices',
    actions: ['ecs:DescribeServices'],
    resources: stages.flatMap((stage) =>
      [BACKEND.serviceName, GATEWAY.serviceName, CHROMA.serviceName].map((serviceName) =>
        scope.formatArn({
          service: 'ecs',
          region: STAGE_SETTINGS[stage].region,
          resource: 'service',
          resourceName: `${clusterNameFor(stage)}/${serviceName}`,
        }),
      ),
    ),
  });

  // DescribeTaskDefinition has no resource-level permission; it reads which image tag runs.
  const readTaskDefinitions = new iam.PolicyStatement({
    sid: 'ReadRunningTaskDefinitions',
    actions: ['ecs:DescribeTaskDefinition'],
    resources: ['*'],
  });

  const readStacks = new iam.PolicyStatement({
    sid: 'ReadPlatformStacks',
    actions: [
      'cloudformation:DescribeStacks',
      'cloudformation:DescribeStackEvents',
      'cloudformation:DescribeStackResources',
      'cloudformation:GetTemplate',
    ],
    resources: stages.flatMap((stage) =>
      (['Network', 'Platform'] as const).map((part) =>
        scope.formatArn({
          service: 'cloudformation',
          region: STAGE_SETTINGS[stage].region,
          resource: 'stack',
          resourceName: `${stackNameFor(stage, part)}/*`,
        }),
      ),
    ),
  });

  // Registering a task definition revision by hand (a hotfix rollback) must
  // pass the task roles, and only those, and only to ECS tasks.
  const passTaskRoles = new iam.PolicyStatement({
    sid: 'PassPlatformTaskRoles',
    actions: ['iam:PassRole'],
    resources: stages.map((stage) =>
      scope.formatArn({
        service: 'iam',
        region: '',
        resource: 'role',
        resourceName: `${stackNameFor(stage, 'Platform')}-*`,
      }),
    ),
    conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
  });

  const useCdkBootstrapRoles = new iam.PolicyStatement({
    sid: 'AssumeCdkBootstrapRoles',
    actions: ['sts:AssumeRole'],
    resources: regionsOf(stages).flatMap((region) =>
      CDK_BOOTSTRAP_ROLES.map((role) =>
        scope.formatArn({
          service: 'iam',
          region: '',
          resource: 'role',
          resourceName: `cdk-${options.cdkQualifier}-${role}-role-${Aws.ACCOUNT_ID}-${region}`,
        }),
      ),
    ),
  });

  const because = (statement: iam.PolicyStatement, reason: string): WildcardReason[] =>
    statement.resources.map((resource) => ({ resource: nagResourceName(scope, resource), reason }));
  return {
    statements: [
      pushImages,
      registryLogin,
      readServices,
      readTaskDefinitions,
      readStacks,
      passTaskRoles,
      useCdkBootstrapRoles,
    ],
    wildcards: [
      {
        resource: '*',
        reason:
          'ecr:GetAuthorizationToken and ecs:DescribeTaskDefinition have no resource-level permissions; ' +
          'every other statement names its repositories, services, stacks and roles.',
      },
      ...because(
        readStacks,
        'A stack ARN ends in an id CloudFormation assigns; the stack name is fixed.',
      ),
      ...because(
        passTaskRoles,
        'CDK names the task roles after their stack with a generated suffix; PassRole is limited to ' +
          'that stack prefix and to ecs-tasks.amazonaws.com.',
      ),
    ],
  };
}

/**
 * An ARN as cdk-nag prints it in a finding id: references become `<Name>`
 * (`<AWS::AccountId>`), joined with the literal parts.
 */
function nagResourceName(scope: Stack, arn: string): string {
  const resolved: unknown = scope.resolve(arn);
  if (typeof resolved === 'string') return resolved;
  const [separator, parts] = (resolved as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  return parts
    .map((part) => (typeof part === 'string' ? part : `<${(part as { Ref: string }).Ref}>`))
    .join(separator);
}
