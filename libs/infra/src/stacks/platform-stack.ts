import { Annotations, CfnOutput, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { DomainRecord } from '../dns/domain-record';
import { FailoverRecord } from '../dns/failover-record';
import { PublicLoadBalancer } from '../load-balancer/public-load-balancer';
import { WebAcl } from '../load-balancer/web-acl';
import { AlarmTopic } from '../observability/alarm-topic';
import { DocumentsReplicationAlarms } from '../observability/documents-replication-alarms';
import { PlatformDashboard } from '../observability/platform-dashboard';
import { ImageRepositories } from '../registry/image-repositories';
import { AI_PROVIDERS_CONTEXT_KEY, aiProvidersFromContext } from '../secrets/ai-providers';
import { PlatformSecrets } from '../secrets/platform-secrets';
import { ChromaService } from '../services/chroma-service';
import { containerEnvironment } from '../services/container-environment';
import { addHardenedContainer } from '../services/hardened-container';
import { containerImageFrom } from '../services/registry-image';
import { addXrayDaemon } from '../services/tracing-sidecar';
import { WebService } from '../services/web-service';
import {
  AIML_UPSTREAM,
  BACKEND,
  CHROMA,
  GATEWAY,
  HEALTH_PATHS,
} from '../settings/platform-constants';
import {
  clusterNameFor,
  secretPrefixFor,
  serviceConnectNamespaceFor,
} from '../settings/stage-names';
import type { StageSettings } from '../settings/stage-settings';
import { AccessLogBucket } from '../storage/access-log-bucket';
import { ChromaFileSystem } from '../storage/chroma-file-system';
import { DocumentsBucket } from '../storage/documents-bucket';
import { documentsReplicaFor } from '../storage/documents-replica';

export interface PlatformStackProps extends StackProps {
  readonly settings: StageSettings;
  readonly vpc: ec2.IVpc;
  /** Tag of both images, e.g. the commit SHA CI pushed. */
  readonly imageTag: string;
}

/** Gateway rule priority on the listener; the backend is the default route. */
const GATEWAY_RULE_PRIORITY = 10;

/**
 * Everything that runs in a stage's VPC: secrets, cluster, the three
 * services, the public load balancer, alarms and the dashboard.
 */
export class PlatformStack extends Stack {
  readonly cluster: ecs.Cluster;
  readonly backend: WebService;
  readonly gateway: WebService;
  readonly chroma: ChromaService;
  readonly loadBalancer: PublicLoadBalancer;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    const { settings, vpc } = props;

    const alarms = new AlarmTopic(this, 'AlarmTopic', { email: settings.alarmEmail });
    // Created by the Registry stack (prod's app), in every stage referred to by name.
    const repositories = new ImageRepositories(this, 'Images', { create: false });
    const aiProviders = aiProvidersFromContext(this.node.tryGetContext(AI_PROVIDERS_CONTEXT_KEY));
    const secrets = new PlatformSecrets(this, 'Secrets', {
      prefix: secretPrefixFor(settings.stage),
      generate: settings.generatesPlatformSecrets,
      replicaRegions: settings.replicateTo ? [settings.replicateTo] : [],
      retain: settings.retainData,
      // Provider keys are optional in the catalogue; only those this deployment
      // created (`-c aiProviders=openai,google`) are referenced, or ECS would
      // refuse to start the gateway for want of a missing secret.
      optionalSecrets: aiProviders,
    });
    const accessLogs = new AccessLogBucket(this, 'AccessLogs', { retain: settings.retainData });
    const documents = new DocumentsBucket(this, 'Documents', {
      stage: settings.stage,
      accessLogs: accessLogs.bucket,
      retain: settings.retainData,
      replica: documentsReplicaFor(settings),
    });
    if (documents.replication) {
      new DocumentsReplicationAlarms(this, 'DocumentsReplicationAlarms', {
        sourceBucketName: documents.bucket.bucketName,
        ...documents.replication,
        topic: alarms.topic,
      });
    }

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      clusterName: clusterNameFor(settings.stage),
      vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
      enableFargateCapacityProviders: true,
      defaultCloudMapNamespace: {
        name: serviceConnectNamespaceFor(settings.stage),
        useForServiceConnect: true,
      },
    });

    this.loadBalancer = new PublicLoadBalancer(this, 'LoadBalancer', {
      vpc,
      accessLogs: accessLogs.bucket,
      https: settings.https,
      deletionProtection: settings.retainData,
    });
    if (settings.wafEnabled) {
      new WebAcl(this, 'WebAcl', {
        loadBalancerArn: this.loadBalancer.loadBalancer.loadBalancerArn,
      });
    }

    const chromaStorage = new ChromaFileSystem(this, 'ChromaStorage', {
      vpc,
      retain: settings.retainData,
    });
    this.chroma = new ChromaService(this, 'Chroma', {
      settings,
      cluster: this.cluster,
      storage: chromaStorage,
      alarmTopic: alarms.topic,
    });

    // Both services, since the web app calls /ai/* too. Only when given:
    // without it neither allows cross-origin browser calls, right for a
    // front end served from the API's origin.
    const corsEnvironment: Record<string, string> = settings.corsOrigins?.length
      ? { DOCUTHINKER_CORS_ORIGINS: settings.corsOrigins.join(',') }
      : {};

    this.gateway = new WebService(this, 'Gateway', {
      settings,
      cluster: this.cluster,
      serviceName: GATEWAY.serviceName,
      label: 'gateway',
      containerName: GATEWAY.containerName,
      port: GATEWAY.port,
      image: ecs.ContainerImage.fromEcrRepository(repositories.gateway, props.imageTag),
      environment: containerEnvironment('aiml-gateway', {
        PORT: String(GATEWAY.port),
        DOCUTHINKER_SYNC_GRAPH: 'true',
        DOCUTHINKER_SYNC_VECTOR: 'true',
        ...corsEnvironment,
        ...(settings.aimlUpstreamImage
          ? { DOCUTHINKER_AIML_UPSTREAM_URL: `http://127.0.0.1:${AIML_UPSTREAM.port}` }
          : {}),
      }),
      secrets: secrets.containerSecretsFor('aiml-gateway'),
      scaling: settings.gateway,
      routing: {
        listener: this.loadBalancer.listener,
        rule: { priority: GATEWAY_RULE_PRIORITY, pathPatterns: [GATEWAY.pathPattern] },
      },
      alarmTopic: alarms.topic,
      serviceConnect: { name: GATEWAY.containerName, port: GATEWAY.port },
      configureTask: (task, logGroup) => {
        if (settings.aimlUpstreamImage)
          this.addUpstreamSidecar(task, settings.aimlUpstreamImage, logGroup);
      },
    });
    if (aiProviders.length === 0 && !settings.aimlUpstreamImage) {
      // With NODE_ENV=production the gateway's config refuses to start without
      // a provider key or an upstream URL, so say so at synth time.
      Annotations.of(this.gateway).addWarningV2(
        '@docuthinker/infra:gatewayWithoutAiProvider',
        'The gateway gets no LLM provider: pass -c aiProviders=<openai,anthropic,google> for the keys ' +
          'created with tools/secrets, or -c aimlUpstreamImage=<image>; otherwise it exits at start ' +
          '("production needs an LLM provider").',
      );
    }
    dependOnService(this.gateway.service, this.chroma.service);
    this.chroma.service.connections.allowFrom(
      this.gateway.service,
      ec2.Port.tcp(CHROMA.port),
      'Gateway to Chroma',
    );

    this.backend = new WebService(this, 'Backend', {
      settings,
      cluster: this.cluster,
      serviceName: BACKEND.serviceName,
      label: 'backend',
      containerName: BACKEND.containerName,
      port: BACKEND.port,
      image: ecs.ContainerImage.fromEcrRepository(repositories.backend, props.imageTag),
      environment: containerEnvironment('backend', {
        PORT: String(BACKEND.port),
        DOCUTHINKER_AIML_URL: `http://${GATEWAY.containerName}:${GATEWAY.port}`,
        DOCUTHINKER_DOCUMENTS_BUCKET: documents.bucket.bucketName,
        ...corsEnvironment,
      }),
      secrets: secrets.containerSecretsFor('backend'),
      scaling: settings.backend,
      routing: { listener: this.loadBalancer.listener },
      alarmTopic: alarms.topic,
    });
    dependOnService(this.backend.service, this.gateway.service);
    this.gateway.service.connections.allowFrom(
      this.backend.service,
      ec2.Port.tcp(GATEWAY.port),
      'Backend to gateway',
    );
    this.grantDocumentObjects(this.backend, documents.bucket);

    for (const web of [this.backend, this.gateway]) {
      if (settings.tracing === 'xray') addXrayDaemon(web.taskDefinition, web.logGroup);
    }
    for (const task of [
      this.backend.taskDefinition,
      this.gateway.taskDefinition,
      this.chroma.taskDefinition,
    ]) {
      this.acknowledgeTaskFindings(task, settings);
    }

    new PlatformDashboard(this, 'Dashboard', {
      dashboardName: `docuthinker-${settings.stage}`,
      loadBalancer: this.loadBalancer.loadBalancer,
      webServices: { backend: this.backend, gateway: this.gateway },
      chroma: this.chroma.service,
      otherAlarms: [this.chroma.runningTaskAlarm.alarm],
    });

    const hostedZone = settings.https?.hostedZone;
    if (hostedZone && this.loadBalancer.servesHttps && settings.https) {
      const record = {
        hostedZoneId: hostedZone.hostedZoneId,
        domainName: settings.https.domainName,
        loadBalancer: this.loadBalancer.loadBalancer,
      };
      if (settings.dnsFailoverRole) {
        new FailoverRecord(this, 'FailoverRecord', {
          ...record,
          role: settings.dnsFailoverRole,
          stage: settings.stage,
        });
      } else {
        new DomainRecord(this, 'DomainRecord', record);
      }
    }

    this.addOutputs(repositories, documents.bucket.bucketName);
  }

  /** The FastAPI AI/ML container, next to the gateway so the hop stays on localhost. */
  private addUpstreamSidecar(
    task: ecs.FargateTaskDefinition,
    image: string,
    logGroup: logs.ILogGroup,
  ): void {
    const healthUrl = `http://127.0.0.1:${AIML_UPSTREAM.port}${HEALTH_PATHS.liveness}`;
    addHardenedContainer(task, {
      containerName: AIML_UPSTREAM.containerName,
      // A private ECR image needs pull rights on the execution role; the sidecar
      // is essential, so a failed pull would stop every gateway task.
      image: containerImageFrom(this, 'AimlUpstreamRepository', image, 'aimlUpstreamImage'),
      logGroup,
      port: { name: 'upstream', containerPort: AIML_UPSTREAM.port },
      environment: { PORT: String(AIML_UPSTREAM.port) },
      // A FastAPI image has Python, not necessarily curl.
      healthCheckCommand: [
        'CMD',
        'python',
        '-c',
        `import urllib.request; urllib.request.urlopen('${healthUrl}', timeout=3)`,
      ],
      healthCheckStartPeriodSeconds: 60,
    });
  }

  /**
   * Object access to the documents bucket only, as the seed's policy intends;
   * no bucket-level or account-wide S3 rights.
   */
  private grantDocumentObjects(web: WebService, bucket: s3.Bucket): void {
    const { bucketArn } = bucket;
    web.taskDefinition.addToTaskRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: [`${bucketArn}/*`],
      }),
    );
    web.taskDefinition.addToTaskRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucketArn] }),
    );
    Validations.of(web.taskDefinition.taskRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(bucket.node.defaultChild as s3.CfnBucket)}.Arn>/*]`,
      reason:
        'Object keys are user documents created at run time; the wildcard is confined to one bucket.',
    });
  }

  /** Findings that follow from how ECS works, acknowledged one by one on each task definition. */
  private acknowledgeTaskFindings(task: ecs.TaskDefinition, settings: StageSettings): void {
    Validations.of(task).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason:
        'The plain environment holds only non-secret settings (NODE_ENV, ports, internal URLs, bucket name); ' +
        'every value from the secret catalogue is injected through `secrets` (checked by ProductionReadinessChecks).',
    });
    if (task.executionRole) {
      Validations.of(task.executionRole).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'ecr:GetAuthorizationToken, which every image pull needs, has no resource-level permissions.',
      });
    }
    if (settings.enableExecuteCommand) {
      Validations.of(task.taskRole).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'ECS Exec (enabled outside prod only) needs ssmmessages channel actions, which have no resource-level permissions.',
      });
    }
  }

  private addOutputs(repositories: ImageRepositories, documentsBucketName: string): void {
    const outputs: Record<string, string> = {
      LoadBalancerDnsName: this.loadBalancer.loadBalancer.loadBalancerDnsName,
      ClusterName: this.cluster.clusterName,
      BackendServiceName: this.backend.service.serviceName,
      GatewayServiceName: this.gateway.service.serviceName,
      ChromaServiceName: this.chroma.service.serviceName,
      BackendRepositoryUri: repositories.backend.repositoryUri,
      GatewayRepositoryUri: repositories.gateway.repositoryUri,
      DocumentsBucketName: documentsBucketName,
      ChromaServiceConnectUrl: this.chroma.serviceConnectUrl,
      // For the rules of stores outside these stacks: ElastiCache must admit
      // both (the gateway counts users' AI calls in Redis too).
      BackendSecurityGroupId: securityGroupIdOf(this.backend.service),
      GatewaySecurityGroupId: securityGroupIdOf(this.gateway.service),
    };
    for (const [id, value] of Object.entries(outputs)) new CfnOutput(this, id, { value });
  }
}

/**
 * Service Connect clients resolve names when their tasks start, so the server
 * service is created first. Only the ECS services depend on each other: a
 * construct-level dependency would also drag in security-group rules and loop.
 */
function dependOnService(client: ecs.FargateService, server: ecs.FargateService): void {
  (client.node.defaultChild as ecs.CfnService).addResourceDependency(
    server.node.defaultChild as ecs.CfnService,
    'Service Connect client starts after its server',
  );
}

/** The one security group a service's tasks run in. */
function securityGroupIdOf(service: ecs.FargateService): string {
  const [group] = service.connections.securityGroups;
  if (!group) throw new Error(`${service.node.path} has no security group`);
  return group.securityGroupId;
}
