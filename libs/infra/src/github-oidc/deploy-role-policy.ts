import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { STAGES_KEEPING_IMAGES } from '../registry/image-repositories';
import { REGISTRY_STACK_NAME } from '../registry/registry-stack';
import { BACKEND, CHROMA, GATEWAY } from '../settings/platform-constants';
import { clusterNameFor, stackNameFor } from '../settings/stage-names';
import { STAGE_SETTINGS, type StageName } from '../settings/stage-settings';

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

export interface StageDeployPolicyOptions {
  /** The one stage the role deploys: its region, cluster and stacks bound every resource below. */
  readonly stage: StageName;
  /** The stage's `cdk bootstrap --qualifier`; only that bootstrap's roles may be assumed. */
  readonly cdkQualifier: string;
}

/** The stage that creates the image repositories; the others import them or read replicas. */
function imageRegistryRegion(): string {
  const owner = Object.values(STAGE_SETTINGS).find((settings) => settings.ownsImageRepositories);
  if (!owner) throw new Error('no stage owns the image repositories');
  return owner.region;
}

/** The two image repositories, in the region of the stage that owns them. */
function imageRepositoryArns(scope: Stack): string[] {
  const registryRegion = imageRegistryRegion();
  return [BACKEND.repositoryName, GATEWAY.repositoryName].map((repositoryName) =>
    scope.formatArn({
      service: 'ecr',
      region: registryRegion,
      resource: 'repository',
      resourceName: repositoryName,
    }),
  );
}

/** ARNs of a `cdk bootstrap --qualifier <qualifier>` in one region of the stack's account. */
export function cdkBootstrapRoleArns(
  scope: Stack,
  qualifier: string,
  region: string,
  roles: readonly (typeof CDK_BOOTSTRAP_ROLES)[number][] = CDK_BOOTSTRAP_ROLES,
): string[] {
  return roles.map((role) =>
    scope.formatArn({
      service: 'iam',
      region: '',
      resource: 'role',
      resourceName: `cdk-${qualifier}-${role}-role-${Aws.ACCOUNT_ID}-${region}`,
    }),
  );
}

const because = (scope: Stack, statement: iam.PolicyStatement, reason: string): WildcardReason[] =>
  statement.resources.map((resource) => ({ resource: nagResourceName(scope, resource), reason }));

/**
 * What the push-images step does in AWS: log in to ECR and push the two
 * images. Held by the role of the image-publishing job, which deploys nothing.
 */
export function imagePublishStatements(scope: Stack): DeployRolePolicy {
  const pushImages = new iam.PolicyStatement({
    sid: 'PushServiceImages',
    actions: IMAGE_PUSH_ACTIONS,
    resources: imageRepositoryArns(scope),
  });
  // The registry login has no resource-level permission.
  const registryLogin = new iam.PolicyStatement({
    sid: 'LogInToRegistry',
    actions: ['ecr:GetAuthorizationToken'],
    resources: ['*'],
  });
  return {
    statements: [pushImages, registryLogin],
    wildcards: [
      {
        resource: '*',
        reason:
          'ecr:GetAuthorizationToken has no resource-level permissions; the push itself names the two repositories.',
      },
    ],
  };
}

/**
 * What the deploy, diff, wait-stable and rollback steps do in AWS for one
 * stage: read what the stage runs, hand `cdk diff|deploy` to the stage's own
 * bootstrap roles, read the stage's stacks. CloudFormation changes happen
 * under the bootstrap deploy role, so this role never holds them; and since
 * every stage has its own bootstrap qualifier, it never holds another stage's
 * bootstrap roles. Not a security boundary within one account: the standard
 * bootstrap deploy role may act on any stack there (docs/pipelines.md), so
 * prod belongs in an account of its own.
 */
export function stageDeployStatements(
  scope: Stack,
  options: StageDeployPolicyOptions,
): DeployRolePolicy {
  const { stage } = options;
  const region = STAGE_SETTINGS[stage].region;

  const readServices = new iam.PolicyStatement({
    sid: 'ReadStageServices',
    actions: ['ecs:DescribeServices'],
    resources: [BACKEND.serviceName, GATEWAY.serviceName, CHROMA.serviceName].map((serviceName) =>
      scope.formatArn({
        service: 'ecs',
        region,
        resource: 'service',
        resourceName: `${clusterNameFor(stage)}/${serviceName}`,
      }),
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
    resources: platformStackArns(scope, stage, region),
  });

  // The smoke step tags the images its stage was verified on
  // `deployed-<stage>-<tag>`, so the repositories' lifecycle policy keeps
  // them (image-repositories.ts): it reads an image's manifest and puts it
  // back under that tag (tags are immutable, so no tag can be moved), then
  // lists the stage's tagged images and takes the tag off its older ones
  // (an image keeps its other tags; each has its commit's).
  const tagDeployedImages = new iam.PolicyStatement({
    sid: 'TagDeployedImages',
    actions: ['ecr:BatchDeleteImage', 'ecr:BatchGetImage', 'ecr:DescribeImages', 'ecr:PutImage'],
    resources: imageRepositoryArns(scope),
  });

  const useCdkBootstrapRoles = new iam.PolicyStatement({
    sid: 'AssumeStageCdkBootstrapRoles',
    actions: ['sts:AssumeRole'],
    resources: cdkBootstrapRoleArns(scope, options.cdkQualifier, region),
  });

  return {
    statements: [
      readServices,
      readTaskDefinitions,
      readStacks,
      // DR pulls its region's replicas, which nothing expires: it tags none.
      ...(STAGES_KEEPING_IMAGES.includes(stage) ? [tagDeployedImages] : []),
      useCdkBootstrapRoles,
    ],
    wildcards: [
      {
        resource: '*',
        reason:
          'ecs:DescribeTaskDefinition has no resource-level permissions; every other statement names ' +
          "the stage's services, stacks and roles.",
      },
      ...because(
        scope,
        readStacks,
        'A stack ARN ends in an id CloudFormation assigns; the stack name is fixed.',
      ),
    ],
  };
}

/**
 * What the diff step does in AWS for one stage: `cdk diff --no-change-set`
 * reads the deployed templates through the stage's bootstrap lookup role,
 * which is read-only. Held by the role of the job that shows the diff before
 * a deploy is approved, so it can never deploy.
 */
export function stageDiffStatements(
  scope: Stack,
  options: StageDeployPolicyOptions,
): DeployRolePolicy {
  const { stage } = options;
  const region = STAGE_SETTINGS[stage].region;
  const readStacks = new iam.PolicyStatement({
    sid: 'ReadPlatformStacks',
    actions: ['cloudformation:DescribeStacks', 'cloudformation:GetTemplate'],
    resources: platformStackArns(scope, stage, region),
  });
  const useLookupRole = new iam.PolicyStatement({
    sid: 'AssumeStageCdkLookupRole',
    actions: ['sts:AssumeRole'],
    resources: cdkBootstrapRoleArns(scope, options.cdkQualifier, region, ['lookup']),
  });
  return {
    statements: [readStacks, useLookupRole],
    wildcards: because(
      scope,
      readStacks,
      'A stack ARN ends in an id CloudFormation assigns; the stack name is fixed.',
    ),
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

/**
 * The stacks the stage deploys (tools/ci/lib/stage-facts.sh, ci_stage_stacks),
 * whatever their stack ids: its Network and Platform stacks, and the image
 * registry's for the stage that owns it. Rollback reads each one's status
 * before it redeploys (found in review: prod's role could not read the
 * registry's, so every prod rollback stopped at AccessDenied).
 */
function platformStackArns(scope: Stack, stage: StageName, region: string): string[] {
  const stackNames = [
    ...(STAGE_SETTINGS[stage].ownsImageRepositories ? [REGISTRY_STACK_NAME] : []),
    stackNameFor(stage, 'Network'),
    stackNameFor(stage, 'Platform'),
  ];
  return stackNames.map((stackName) =>
    scope.formatArn({
      service: 'cloudformation',
      region,
      resource: 'stack',
      resourceName: `${stackName}/*`,
    }),
  );
}
