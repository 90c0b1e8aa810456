import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { stageLogGroup } from '../observability/stage-log-group';
import { WebServiceAlarms } from '../observability/web-service-alarms';
import { DEREGISTRATION_DELAY_SECONDS, HEALTH_PATHS } from '../settings/platform-constants';
import type { StageSettings } from '../settings/stage-settings';
import { afterCapacityProviders, capacityStrategyFor } from './capacity-strategy';
import { addHardenedContainer, nodeHealthCheck } from './hardened-container';
import { serviceConnectNamespaceArn } from './service-connect-namespace';
import type { ServiceScaling } from '../settings/stage-settings';

/** Autoscaling per the seed: target tracking on CPU, memory and ALB requests. */
export const SCALING_TARGETS = {
  cpuPercent: 70,
  memoryPercent: 80,
  requestsPerTarget: 1000,
  scaleOutCooldownSeconds: 60,
  scaleInCooldownSeconds: 300,
} as const;

/** Start-up (config, secrets, store connections) takes seconds; a minute is generous. */
export const HEALTH_CHECK_GRACE_SECONDS = 60;

export interface WebServiceRouting {
  readonly listener: elbv2.ApplicationListener;
  /** Path patterns and rule priority; omitted for the listener's default route. */
  readonly rule?: { readonly priority: number; readonly pathPatterns: string[] };
}

export interface WebServiceProps {
  readonly settings: StageSettings;
  readonly cluster: ecs.ICluster;
  readonly serviceName: string;
  /** Short label for alarm names and dashboards. */
  readonly label: string;
  readonly containerName: string;
  readonly port: number;
  readonly image: ecs.ContainerImage;
  readonly environment: Record<string, string>;
  readonly secrets: Record<string, ecs.Secret>;
  readonly scaling: ServiceScaling;
  readonly routing: WebServiceRouting;
  readonly alarmTopic: sns.ITopic;
  /**
   * Name and port other services dial through Service Connect; omitted for a
   * client-only service. The port is the client-side alias, independent of the
   * container port.
   */
  readonly serviceConnect?: { readonly name: string; readonly port: number };
  /** Adds sidecars or permissions to the task before the service is created. */
  readonly configureTask?: (
    taskDefinition: ecs.FargateTaskDefinition,
    logGroup: logs.ILogGroup,
  ) => void;
}

/**
 * One load-balanced Fargate service with everything a production deployment
 * needs around it: private subnets, circuit breaker and alarm rollback,
 * autoscaling, target health checks and the seed's alarms.
 */
export class WebService extends Construct {
  readonly service: ecs.FargateService;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly alarms: WebServiceAlarms;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: WebServiceProps) {
    super(scope, id);
    const { settings } = props;
    const portName = 'http';

    this.logGroup = stageLogGroup(this, 'Logs', settings);

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: settings.taskSize.cpu,
      memoryLimitMiB: settings.taskSize.memoryMiB,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    addHardenedContainer(this.taskDefinition, {
      containerName: props.containerName,
      image: props.image,
      logGroup: this.logGroup,
      port: { name: portName, containerPort: props.port },
      environment: props.environment,
      secrets: props.secrets,
      healthCheckCommand: nodeHealthCheck(props.port, HEALTH_PATHS.liveness),
      ecsExec: settings.enableExecuteCommand,
    });
    props.configureTask?.(this.taskDefinition, this.logGroup);

    this.service = new ecs.FargateService(this, 'Service', {
      serviceName: props.serviceName,
      cluster: props.cluster,
      taskDefinition: this.taskDefinition,
      // No desiredCount: CloudFormation would reset a scaled-out service to it on every deploy.
      // Autoscaling's minimum (below) brings a new service up to the stage's count.
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      assignPublicIp: false,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriod: Duration.seconds(HEALTH_CHECK_GRACE_SECONDS),
      enableExecuteCommand: settings.enableExecuteCommand,
      capacityProviderStrategies: capacityStrategyFor(settings.allowFargateSpot),
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      // A service without `services` is a client of the namespace only (the backend).
      serviceConnectConfiguration: {
        namespace: serviceConnectNamespaceArn(props.cluster),
        services: props.serviceConnect && [
          {
            portMappingName: portName,
            dnsName: props.serviceConnect.name,
            port: props.serviceConnect.port,
          },
        ],
      },
    });
    afterCapacityProviders(this.service, props.cluster);

    this.targetGroup = this.attachToListener(props);
    this.addAutoscaling(props.scaling);

    this.alarms = new WebServiceAlarms(this, 'Alarms', {
      serviceLabel: props.label,
      service: this.service,
      targetGroup: this.targetGroup,
      logGroup: this.logGroup,
      topic: props.alarmTopic,
    });
    this.service.enableDeploymentAlarms(this.alarms.deploymentAlarmNames, {
      behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM,
    });
    // The names are literals, so order creation explicitly: alarms exist before the service uses them.
    for (const alarm of this.alarms.deploymentAlarms) this.service.node.addDependency(alarm);
  }

  private attachToListener(props: WebServiceProps): elbv2.ApplicationTargetGroup {
    const targetGroup = new elbv2.ApplicationTargetGroup(this, 'Targets', {
      vpc: props.cluster.vpc,
      port: props.port,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      // Two failed checks five seconds apart: a dead task leaves rotation in about 10 s.
      // Liveness, not /ready: ECS replaces the targets this finds unhealthy, and a
      // database outage would otherwise stop and restart the whole fleet (README).
      healthCheck: {
        path: HEALTH_PATHS.liveness,
        interval: Duration.seconds(5),
        timeout: Duration.seconds(4),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 2,
        healthyHttpCodes: '200',
      },
      // Matches the services' drain: requests in flight finish before the target is gone.
      deregistrationDelay: Duration.seconds(DEREGISTRATION_DELAY_SECONDS),
    });
    this.service.attachToApplicationTargetGroup(targetGroup);
    const { listener, rule } = props.routing;
    listener.addTargetGroups(`${props.label}Route`, {
      targetGroups: [targetGroup],
      ...(rule
        ? {
            priority: rule.priority,
            conditions: [elbv2.ListenerCondition.pathPatterns(rule.pathPatterns)],
          }
        : {}),
    });
    return targetGroup;
  }

  private addAutoscaling(scaling: ServiceScaling): void {
    const scalable = this.service.autoScaleTaskCount({
      minCapacity: scaling.desiredCount,
      maxCapacity: scaling.maxCount,
    });
    const cooldowns = {
      scaleOutCooldown: Duration.seconds(SCALING_TARGETS.scaleOutCooldownSeconds),
      scaleInCooldown: Duration.seconds(SCALING_TARGETS.scaleInCooldownSeconds),
    };
    scalable.scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: SCALING_TARGETS.cpuPercent,
      ...cooldowns,
    });
    scalable.scaleOnMemoryUtilization('Memory', {
      targetUtilizationPercent: SCALING_TARGETS.memoryPercent,
      ...cooldowns,
    });
    scalable.scaleOnRequestCount('Requests', {
      requestsPerTarget: SCALING_TARGETS.requestsPerTarget,
      targetGroup: this.targetGroup,
      ...cooldowns,
    });
  }
}
