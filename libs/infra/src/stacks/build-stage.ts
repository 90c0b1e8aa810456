import { Aspects, DefaultStackSynthesizer, Tags, type App } from 'aws-cdk-lib';
import { ProductionReadinessChecks } from '../checks/production-readiness-checks';
import { NetworkStack } from '../network/network-stack';
import { stackNameFor } from '../settings/stage-names';
import type { StageSettings } from '../settings/stage-settings';
import { PlatformStack } from './platform-stack';
import { REGISTRY_STACK_NAME, RegistryStack } from '../registry/registry-stack';

/**
 * Types whose Tags property is newer than the CloudFormation schemas cfn-lint
 * and some regions know; tagging them buys nothing for cost allocation.
 */
const UNTAGGED_RESOURCE_TYPES = [
  'AWS::ElasticLoadBalancingV2::Listener',
  'AWS::ElasticLoadBalancingV2::ListenerRule',
  'AWS::ApplicationAutoScaling::ScalableTarget',
  'AWS::CloudWatch::Dashboard',
];

export interface BuildStageOptions {
  readonly settings: StageSettings;
  readonly imageTag: string;
  /** Unset offline: the stacks are then account-agnostic and synth needs no credentials. */
  readonly account?: string;
}

export interface StageStacks {
  readonly network: NetworkStack;
  readonly platform: PlatformStack;
  /** Only in the stage that owns the image repositories (prod). */
  readonly registry?: RegistryStack;
}

/**
 * Synthesizes a stack against the stage's own `cdk bootstrap --qualifier`: its
 * bootstrap roles deploy this stage's stacks and nothing else.
 */
export function stageSynthesizer(settings: Pick<StageSettings, 'cdkQualifier'>) {
  return new DefaultStackSynthesizer({ qualifier: settings.cdkQualifier });
}

/** Adds one stage's stacks to an app, with the production-readiness checks applied. */
export function buildStage(app: App, options: BuildStageOptions): StageStacks {
  const { settings } = options;
  const env = { account: options.account, region: settings.region };
  const registry = settings.ownsImageRepositories
    ? new RegistryStack(app, REGISTRY_STACK_NAME, {
        env,
        synthesizer: stageSynthesizer(settings),
        replicateTo: settings.replicateTo,
        description: 'DocuThinker: ECR repositories of the two service images, replicated to DR',
        // The release history of every stage: never deleted with a command.
        terminationProtection: true,
      })
    : undefined;
  const network = new NetworkStack(app, stackNameFor(settings.stage, 'Network'), {
    env,
    synthesizer: stageSynthesizer(settings),
    settings,
    description: `DocuThinker ${settings.stage}: VPC, flow logs and endpoints`,
    terminationProtection: settings.retainData,
  });
  const platform = new PlatformStack(app, stackNameFor(settings.stage, 'Platform'), {
    env,
    synthesizer: stageSynthesizer(settings),
    settings,
    vpc: network.vpc,
    imageTag: options.imageTag,
    description: `DocuThinker ${settings.stage}: ECS Fargate services, ALB, secrets, alarms`,
    terminationProtection: settings.retainData,
  });
  // The services pull from the repositories: `cdk deploy --all` updates them first.
  if (registry) platform.addStackDependency(registry);
  for (const stack of [network, platform, ...(registry ? [registry] : [])]) {
    Tags.of(stack).add('project', 'docuthinker', { excludeResourceTypes: UNTAGGED_RESOURCE_TYPES });
    Tags.of(stack).add('stage', settings.stage, { excludeResourceTypes: UNTAGGED_RESOURCE_TYPES });
    Aspects.of(stack).add(new ProductionReadinessChecks());
  }
  return { network, platform, registry };
}
