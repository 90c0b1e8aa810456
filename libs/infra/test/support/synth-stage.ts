import { App, Validations, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { FEATURE_FLAGS } from '../../src/settings/feature-flags';
import { settingsFor, type StageName, type StageSettings } from '../../src/settings/stage-settings';
import { buildStage, type StageStacks } from '../../src/stacks/build-stage';

export const TEST_IMAGE_TAG = '3f2c1ab';

/** CloudFormation JSON, read by property path in assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- template shapes vary by resource type
export type CfnJson = any;

/** `record[key]`, failing the test with a clear message when it is missing. */
export function pick<T>(record: Readonly<Record<string, T>>, key: string): T {
  const value = record[key];
  if (value === undefined)
    throw new Error(`expected "${key}" among ${Object.keys(record).join(', ')}`);
  return value;
}

/**
 * Construct stack traces are for humans reading CLI errors; under jest every
 * captured trace goes through source maps and makes synth ~10x slower.
 */
export const TEST_CONTEXT = { 'aws:cdk:disable-stack-trace': true } as const;

export interface SynthesizedStage {
  readonly app: App;
  readonly stacks: StageStacks;
  readonly network: Template;
  readonly platform: Template;
  /** The image repositories' stack, in the stage that owns them (prod). */
  readonly registry?: Template;
}

/**
 * Builds and synthesizes one stage the way bin/app.ts does (same feature flags).
 * `context` stands for `-c key=value` values the stacks read themselves (e.g. aiProviders).
 */
export function synthStage(
  stage: StageName,
  overrides: Partial<StageSettings> = {},
  context: Readonly<Record<string, unknown>> = {},
): SynthesizedStage {
  const app = new App({ context: { ...FEATURE_FLAGS, ...TEST_CONTEXT, ...context } });
  const stacks = buildStage(app, {
    settings: settingsFor(stage, overrides),
    imageTag: TEST_IMAGE_TAG,
  });
  return {
    app,
    stacks,
    network: Template.fromStack(stacks.network),
    platform: Template.fromStack(stacks.platform),
    registry: stacks.registry && Template.fromStack(stacks.registry),
  };
}

export interface ContainerJson {
  Name: string;
  Image: unknown;
  User?: string;
  ReadonlyRootFilesystem?: boolean;
  StopTimeout?: number;
  Essential?: boolean;
  HealthCheck?: { Command: string[]; Interval?: number; StartPeriod?: number };
  Environment?: { Name: string; Value: unknown }[];
  Secrets?: { Name: string; ValueFrom: unknown }[];
  MountPoints?: { SourceVolume: string; ContainerPath: string; ReadOnly?: boolean }[];
  PortMappings?: { ContainerPort: number; Name?: string }[];
  LogConfiguration?: { LogDriver: string; Options: Record<string, unknown> };
}

export interface TaskJson {
  logicalId: string;
  properties: {
    Cpu: string;
    Memory: string;
    ContainerDefinitions: ContainerJson[];
    Volumes?: { Name: string; EFSVolumeConfiguration?: Record<string, unknown> }[];
    TaskRoleArn: unknown;
    ExecutionRoleArn: unknown;
  };
}

/** Task definitions keyed by their first container's name. */
export function taskDefinitions(template: Template): Record<string, TaskJson> {
  const found = template.findResources('AWS::ECS::TaskDefinition');
  return Object.fromEntries(
    Object.entries(found).map(([logicalId, resource]) => {
      const properties = resource.Properties as TaskJson['properties'];
      return [properties.ContainerDefinitions[0]?.Name ?? logicalId, { logicalId, properties }];
    }),
  );
}

export function container(task: TaskJson, name: string): ContainerJson {
  const found = task.properties.ContainerDefinitions.find((definition) => definition.Name === name);
  if (!found) throw new Error(`container ${name} not in task ${task.logicalId}`);
  return found;
}

/** ECS services keyed by ServiceName. */
export function services(
  template: Template,
): Record<string, { logicalId: string; properties: Record<string, CfnJson> }> {
  const found = template.findResources('AWS::ECS::Service');
  return Object.fromEntries(
    Object.entries(found).map(([logicalId, resource]) => [
      resource.Properties.ServiceName as string,
      { logicalId, properties: resource.Properties as Record<string, CfnJson> },
    ]),
  );
}

/** Every Validations.acknowledge() in a tree: rule id and reason, with the construct path. */
export function acknowledgements(
  root: IConstruct | Stack,
): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id,
          reason,
        })),
      ),
  );
}

/** The AWS::IAM::Policy statements attached to a task definition's execution role. */
export function executionRoleStatements(template: Template, task: TaskJson): CfnJson[] {
  const roleArn = task.properties.ExecutionRoleArn as { 'Fn::GetAtt'?: [string, string] };
  const roleId = roleArn['Fn::GetAtt']?.[0];
  if (!roleId) throw new Error(`task ${task.logicalId} has no execution role of its own`);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) =>
      (policy.Properties.Roles as unknown[]).some(
        (role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId }),
      ),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as CfnJson[]);
}
