import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { APP_USER, STOP_TIMEOUT_SECONDS } from '../settings/platform-constants';

export interface HardenedContainerOptions {
  readonly containerName: string;
  readonly image: ecs.ContainerImage;
  readonly logGroup: logs.ILogGroup;
  readonly healthCheckCommand: string[];
  /** Seconds the container may take to start before failed health checks count. */
  readonly healthCheckStartPeriodSeconds?: number;
  readonly port?: { readonly name: string; readonly containerPort: number };
  readonly environment?: Record<string, string>;
  readonly secrets?: Record<string, ecs.Secret>;
  readonly command?: string[];
  /** uid:gid, never root. */
  readonly user?: string;
  /** A sidecar that may die without taking the task down. */
  readonly essential?: boolean;
  /** The service allows ECS Exec into this container (see ECS_EXEC_AGENT_PATHS). */
  readonly ecsExec?: boolean;
}

/**
 * Where the SSM agent that ECS Exec starts inside a container writes its
 * state and logs. Under a read-only root it cannot, and crashes, so ECS Exec
 * fails; a writable volume at each keeps both the exec and the read-only root
 * (the workaround of aws/containers-roadmap#1359 and the ECS Exec checker's
 * maintainers).
 */
export const ECS_EXEC_AGENT_PATHS = ['/var/lib/amazon', '/var/log/amazon'] as const;

/**
 * Adds a container with the production baseline every container here shares:
 * non-root user, read-only root filesystem with a writable /tmp, a health
 * check, awslogs to a log group with retention, and a stop timeout longer than
 * the services' SIGTERM drain. ProductionReadinessChecks verifies the result.
 */
export function addHardenedContainer(
  taskDefinition: ecs.TaskDefinition,
  options: HardenedContainerOptions,
): ecs.ContainerDefinition {
  const container = taskDefinition.addContainer(options.containerName, {
    containerName: options.containerName,
    image: options.image,
    essential: options.essential ?? true,
    user: options.user ?? APP_USER,
    readonlyRootFilesystem: true,
    stopTimeout: Duration.seconds(STOP_TIMEOUT_SECONDS),
    command: options.command,
    environment: options.environment,
    secrets: options.secrets,
    portMappings: options.port
      ? [
          {
            name: options.port.name,
            containerPort: options.port.containerPort,
            protocol: ecs.Protocol.TCP,
          },
        ]
      : undefined,
    healthCheck: {
      command: options.healthCheckCommand,
      interval: Duration.seconds(10),
      timeout: Duration.seconds(5),
      retries: 3,
      startPeriod: Duration.seconds(options.healthCheckStartPeriodSeconds ?? 30),
    },
    // Non-blocking: a slow CloudWatch Logs API must never stall request handling on stdout writes.
    logging: ecs.LogDrivers.awsLogs({
      logGroup: options.logGroup,
      streamPrefix: options.containerName,
      mode: ecs.AwsLogDriverMode.NON_BLOCKING,
    }),
  });

  // Fargate backs a host-less volume with the task's ephemeral storage: the one
  // writable place (temp files, multipart uploads) under a read-only root.
  const tmpVolume = `${options.containerName}-tmp`;
  taskDefinition.addVolume({ name: tmpVolume });
  container.addMountPoints({ sourceVolume: tmpVolume, containerPath: '/tmp', readOnly: false });
  if (options.ecsExec) {
    for (const path of ECS_EXEC_AGENT_PATHS) {
      const volume = `${options.containerName}${path.replaceAll('/', '-')}`;
      taskDefinition.addVolume({ name: volume });
      container.addMountPoints({ sourceVolume: volume, containerPath: path, readOnly: false });
    }
  }
  return container;
}

/**
 * Liveness probe for the Node images: Node has fetch, so no curl is needed
 * in the image, and only /health (never /ready) decides whether ECS restarts a task.
 */
export function nodeHealthCheck(port: number, path: string): string[] {
  // The images' own HEALTHCHECK, word for word (tools/parity compares them):
  // it probes PORT when the container sets one, so it follows the service.
  const script =
    `const url = new URL('http://127.0.0.1:${port}${path}'); url.port = process.env.PORT || url.port; ` +
    'fetch(url).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))';
  return ['CMD', 'node', '-e', script];
}
