import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { RunningTaskAlarm } from '../observability/running-task-alarm';
import { stageLogGroup } from '../observability/stage-log-group';
import type { ChromaFileSystem } from '../storage/chroma-file-system';
import { CHROMA } from '../settings/platform-constants';
import type { StageSettings } from '../settings/stage-settings';
import { afterCapacityProviders } from './capacity-strategy';
import { addHardenedContainer } from './hardened-container';
import { serviceConnectNamespaceArn } from './service-connect-namespace';

export interface ChromaServiceProps {
  readonly settings: StageSettings;
  readonly cluster: ecs.ICluster;
  readonly storage: ChromaFileSystem;
  readonly alarmTopic: sns.ITopic;
}

/**
 * The Chroma vector store: exactly one task, because Chroma is a single writer
 * and two tasks must never share one data directory. Deployments therefore
 * stop the old task before starting the new one (0 % / 100 %); the gateway's
 * outbox replays index jobs missed during that gap.
 */
export class ChromaService extends Construct {
  readonly service: ecs.FargateService;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly runningTaskAlarm: RunningTaskAlarm;
  /** URL the gateway's DOCUTHINKER_CHROMA_URL secret should hold. */
  readonly serviceConnectUrl = `http://${CHROMA.discoveryName}:${CHROMA.port}`;

  constructor(scope: Construct, id: string, props: ChromaServiceProps) {
    super(scope, id);
    const { settings, storage } = props;

    const logGroup = stageLogGroup(this, 'Logs', settings);

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: settings.taskSize.cpu,
      memoryLimitMiB: settings.taskSize.memoryMiB,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    const dataVolume = 'chroma-data';
    this.taskDefinition.addVolume({
      name: dataVolume,
      efsVolumeConfiguration: {
        fileSystemId: storage.fileSystem.fileSystemId,
        transitEncryption: 'ENABLED',
        authorizationConfig: { accessPointId: storage.accessPoint.accessPointId, iam: 'ENABLED' },
      },
    });
    storage.fileSystem.grant(
      this.taskDefinition.taskRole,
      'elasticfilesystem:ClientMount',
      'elasticfilesystem:ClientWrite',
    );

    const container = addHardenedContainer(this.taskDefinition, {
      containerName: CHROMA.containerName,
      image: ecs.ContainerImage.fromRegistry(settings.chromaImage),
      logGroup,
      user: `${CHROMA.posixUid}:${CHROMA.posixGid}`,
      port: { name: CHROMA.discoveryName, containerPort: CHROMA.port },
      ecsExec: settings.enableExecuteCommand,
      command: [
        'run',
        '--path',
        CHROMA.dataPath,
        '--host',
        '0.0.0.0',
        '--port',
        String(CHROMA.port),
      ],
      environment: { ANONYMIZED_TELEMETRY: 'FALSE' },
      // The Chroma image has no curl or Node; bash's /dev/tcp proves the port accepts connections.
      healthCheckCommand: ['CMD', 'bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${CHROMA.port}`],
      healthCheckStartPeriodSeconds: 60,
    });
    container.addMountPoints({
      sourceVolume: dataVolume,
      containerPath: CHROMA.dataPath,
      readOnly: false,
    });

    this.service = new ecs.FargateService(this, 'Service', {
      serviceName: CHROMA.serviceName,
      cluster: props.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: 1,
      minHealthyPercent: 0,
      maxHealthyPercent: 100,
      circuitBreaker: { enable: true, rollback: true },
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      assignPublicIp: false,
      enableExecuteCommand: settings.enableExecuteCommand,
      // On-demand only: a Spot reclaim would take the only vector store offline.
      capacityProviderStrategies: [{ capacityProvider: 'FARGATE', weight: 1 }],
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      serviceConnectConfiguration: {
        namespace: serviceConnectNamespaceArn(props.cluster),
        services: [
          {
            portMappingName: CHROMA.discoveryName,
            dnsName: CHROMA.discoveryName,
            port: CHROMA.port,
          },
        ],
      },
    });
    afterCapacityProviders(this.service, props.cluster);
    storage.fileSystem.connections.allowDefaultPortFrom(
      this.service,
      'Chroma tasks mount EFS over NFS',
    );
    // No load balancer watches Chroma: without this, losing its only task alarms nobody.
    this.runningTaskAlarm = new RunningTaskAlarm(this, 'RunningTask', {
      serviceLabel: 'chroma',
      service: this.service,
      topic: props.alarmTopic,
    });
  }
}
