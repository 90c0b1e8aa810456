import { resolveValue, secretNameOf, type CfnTemplate } from './cloudformation-intrinsics';
import { execFormCommand, healthTiming } from './container-hardening';
import type { ContainerView } from './parity-model';

interface SecretJson {
  Name: string;
  ValueFrom?: unknown;
}

interface ContainerDefinitionJson {
  Name?: unknown;
  Image?: unknown;
  PortMappings?: { ContainerPort?: unknown }[];
  HealthCheck?: {
    Command?: unknown[];
    Interval?: unknown;
    Timeout?: unknown;
    Retries?: unknown;
    StartPeriod?: unknown;
  };
  User?: unknown;
  ReadonlyRootFilesystem?: unknown;
  StopTimeout?: unknown;
  Environment?: { Name: string; Value?: unknown }[];
  Secrets?: (SecretJson | { 'Fn::If': [string, SecretJson, unknown] })[];
  MountPoints?: { ContainerPath?: unknown }[];
  Command?: unknown[];
}

/**
 * Every container of every ECS task definition in a template, keyed by
 * container name. Load-balancer probe paths are attached to the container
 * whose port the target group forwards to.
 */
export function readTaskDefinitions(template: CfnTemplate): Map<string, ContainerView> {
  const resolve = (value: unknown) => resolveValue(value, template);
  const resources = Object.values(template.Resources ?? {});

  const probePathsByPort = new Map<number, string[]>();
  for (const resource of resources) {
    if (resource.Type !== 'AWS::ElasticLoadBalancingV2::TargetGroup') continue;
    const { Port: port, HealthCheckPath: path } = resource.Properties ?? {};
    if (port === undefined || path === undefined) continue;
    const key = Number(resolve(port));
    probePathsByPort.set(key, [...(probePathsByPort.get(key) ?? []), resolve(path)]);
  }

  const containers = new Map<string, ContainerView>();
  for (const resource of resources) {
    if (resource.Type !== 'AWS::ECS::TaskDefinition') continue;
    const definitions = (resource.Properties?.['ContainerDefinitions'] ??
      []) as ContainerDefinitionJson[];
    for (const definition of definitions) {
      const name = resolve(definition.Name);
      const ports = (definition.PortMappings ?? []).map((mapping) =>
        Number(resolve(mapping.ContainerPort)),
      );
      const health = definition.HealthCheck;
      const seconds = (value: unknown) =>
        value === undefined ? undefined : Number(resolve(value));
      containers.set(name, {
        name,
        image: definition.Image === undefined ? undefined : resolve(definition.Image),
        ports,
        healthChecks: health?.Command ? [execFormCommand(health.Command.map(resolve))] : [],
        probePaths: ports.flatMap((port) => probePathsByPort.get(port) ?? []),
        environment: Object.fromEntries(
          (definition.Environment ?? []).map((entry) => [entry.Name, resolve(entry.Value)]),
        ),
        secrets: Object.fromEntries(
          (definition.Secrets ?? [])
            .map(secretWhenPresent)
            .map((entry) => [entry.Name, secretNameOf(resolve(entry.ValueFrom))]),
        ),
        mountPaths: (definition.MountPoints ?? []).map((mount) => resolve(mount.ContainerPath)),
        command: (definition.Command ?? []).map(resolve),
        user: definition.User === undefined ? undefined : resolve(definition.User),
        readOnlyRoot: definition.ReadonlyRootFilesystem === true,
        // ECS's default when the definition names none.
        stopTimeoutSeconds: seconds(definition.StopTimeout) ?? 30,
        healthCommand: health?.Command ? execFormCommand(health.Command.map(resolve)) : undefined,
        healthTiming: health
          ? // ECS's defaults where the definition names none.
            healthTiming({
              interval: seconds(health.Interval) ?? 30,
              timeout: seconds(health.Timeout) ?? 5,
              retries: seconds(health.Retries) ?? 3,
              startPeriod: seconds(health.StartPeriod) ?? 0,
            })
          : undefined,
      });
    }
  }
  return containers;
}

/**
 * A secret passed only under a condition (the raw template's provider key
 * switches: `Fn::If [condition, secret, AWS::NoValue]`) is compared as the
 * secret it passes when the switch is on.
 */
function secretWhenPresent(
  entry: SecretJson | { 'Fn::If': [string, SecretJson, unknown] },
): SecretJson {
  return 'Fn::If' in entry ? entry['Fn::If'][1] : entry;
}

/** An output's value, resolved (e.g. the Chroma Service Connect URL). */
export function outputValue(template: CfnTemplate, name: string): string | undefined {
  const output = template.Outputs?.[name];
  return output?.Value === undefined ? undefined : resolveValue(output.Value, template);
}
