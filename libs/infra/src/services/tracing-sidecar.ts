import { Validations } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { addHardenedContainer } from './hardened-container';

/** Pinned X-Ray daemon; the SDKs send segments to its default address 127.0.0.1:2000/udp. */
export const XRAY_DAEMON_IMAGE = 'public.ecr.aws/xray/aws-xray-daemon:3.3.14';

/** The unprivileged `nobody` user: the daemon only needs the network and stdout. */
const NOBODY = '65534:65534';

/**
 * Adds the X-Ray daemon as a non-essential sidecar: if it dies, the app keeps
 * serving and only traces are lost.
 */
export function addXrayDaemon(taskDefinition: ecs.TaskDefinition, logGroup: logs.ILogGroup): void {
  const daemon = addHardenedContainer(taskDefinition, {
    containerName: 'xray-daemon',
    image: ecs.ContainerImage.fromRegistry(XRAY_DAEMON_IMAGE),
    logGroup,
    user: NOBODY,
    essential: false,
    // The daemon image has no shell or HTTP client; running the binary proves the image is intact.
    healthCheckCommand: ['CMD', '/xray', '--version'],
  });
  daemon.addPortMappings({ containerPort: 2000, protocol: ecs.Protocol.UDP });
  taskDefinition.addToTaskRolePolicy(
    new iam.PolicyStatement({
      actions: [
        'xray:PutTraceSegments',
        'xray:PutTelemetryRecords',
        'xray:GetSamplingRules',
        'xray:GetSamplingTargets',
        'xray:GetSamplingStatisticSummaries',
      ],
      resources: ['*'],
    }),
  );
  Validations.of(taskDefinition.taskRole).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'X-Ray trace and sampling APIs have no resource-level permissions; "*" is the only resource they accept.',
  });
}
