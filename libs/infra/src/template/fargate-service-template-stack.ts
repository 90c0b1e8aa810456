import {
  Aws,
  CfnCondition,
  CfnOutput,
  CfnParameter,
  CfnResource,
  CfnRule,
  Fn,
  Stack,
  Token,
  Validations,
  type StackProps,
} from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { Construct } from 'constructs';
import { PLATFORM_SECRETS, secretByVariable } from '@docuthinker/config';
import { PublicLoadBalancer } from '../load-balancer/public-load-balancer';
import { AlarmTopic } from '../observability/alarm-topic';
import { PlatformSecrets } from '../secrets/platform-secrets';
import { containerEnvironment } from '../services/container-environment';
import { WebService } from '../services/web-service';
import { EMAIL_ADDRESS } from '../settings/context-settings';
import { BACKEND, CLUSTER_NAME, GATEWAY } from '../settings/platform-constants';
import { settingsFor } from '../settings/stage-settings';
import { AccessLogBucket } from '../storage/access-log-bucket';

/** The port-80 listener's logical id since the template served HTTP only. */
export const HTTP_LISTENER_LOGICAL_ID = 'LoadBalancerAlbHttp0D1B35BB';

/** How the provider of each optional key secret is spelled in parameter names. */
const PROVIDER_LABELS: Readonly<Record<string, string>> = {
  openai: 'OpenAI',
  anthropic: 'Anthropic',
  google: 'Google',
};

/** What an ECS task's execution role needs to pull one private ECR image, besides the login. */
const ECR_PULL_ACTIONS = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:GetDownloadUrlForLayer',
  'ecr:BatchGetImage',
];

/** A private ECR image URI with an immutable tag (never latest): what allowImagePulls reads. */
const ECR_IMAGE_PATTERN =
  '^[0-9]{12}\\.dkr\\.ecr(-fips)?\\.[a-z0-9-]+\\.amazonaws\\.com/[a-z0-9][a-z0-9._/-]*:(?!latest$)[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$';

/**
 * A host name as browsers send it: lowercase labels of letters, digits and
 * inner hyphens, the last one starting with a letter (a host ending in a
 * number is read as an IPv4 address, and rewritten), no `xn--` label (the
 * services refuse punycode that does not decode: libs/config's origin check).
 */
const ORIGIN_LABEL = '(?!xn--)[a-z0-9]([a-z0-9-]*[a-z0-9])?';
const ORIGIN_HOST = `(${ORIGIN_LABEL}\\.)*(?!xn--)[a-z]([a-z0-9-]*[a-z0-9])?`;
/** Ports 1-65535 without leading zeros, the scheme's default excepted (browsers leave it out). */
const PORT_TO_65535 =
  '[1-9][0-9]{3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]';
const PORT_BUT_443 = `[1-9]|[1-9][0-9]|[1-35-9][0-9]{2}|4[0-35-9][0-9]|44[0-24-9]|${PORT_TO_65535}`;
const PORT_BUT_80 = `[1-9]|[1-79][0-9]|8[1-9]|[1-9][0-9]{2}|${PORT_TO_65535}`;
const ORIGIN = `(https://${ORIGIN_HOST}(:(${PORT_BUT_443}))?|http://${ORIGIN_HOST}(:(${PORT_BUT_80}))?)`;

/**
 * Browser origins, comma-separated, or none: CloudFormation refuses, before
 * any task starts, an entry the services' DOCUTHINKER_CORS_ORIGINS rule
 * (scheme://host[:port] exactly as browsers send it) would refuse at start:
 * a path, a trailing slash, a wildcard, no scheme, an uppercase host, the
 * scheme's default port (:443), a port past 65535 or with a leading zero.
 * It is stricter than the services in places (an empty label, a trailing dot,
 * IP addresses, punycode): no front end's origin should look like those.
 */
const CORS_ORIGINS_PATTERN = `^$|^${ORIGIN}(, *${ORIGIN})*$`;

/**
 * The raw CloudFormation alternative (cloudformation/fargate-service.yaml) for
 * teams that deploy with `aws cloudformation create-stack`: the backend and
 * gateway services of the CDK app, built from the same constructs, into an
 * existing VPC with two public and two private subnets. Chroma and the VPC
 * itself stay with the CDK app.
 */
export class FargateServiceTemplateStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, {
      ...props,
      description:
        'DocuThinker backend and AI/ML gateway on ECS Fargate behind an ALB (generated from libs/infra; do not edit by hand)',
    });
    const p = this.parameters();
    // SecretsPrefix names where secrets live; it is not a secret, so it is not NoEcho.
    const prefixIsNotAPassword =
      'SecretsPrefix is a name prefix such as docuthinker/, not a secret value';
    Validations.of(this).acknowledge({
      id: 'CloudFormation-Validate::W2509',
      reason: prefixIsNotAPassword,
    });
    this.templateOptions.metadata = { 'cfn-lint': { config: { ignore_checks: ['W2509'] } } };

    const zones = [Fn.select(0, Fn.getAzs()), Fn.select(1, Fn.getAzs())];
    const vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: p.vpcId.valueAsString,
      availabilityZones: zones,
      publicSubnetIds: [0, 1].map((index) => Fn.select(index, p.publicSubnets.valueAsList)),
      privateSubnetIds: [0, 1].map((index) => Fn.select(index, p.privateSubnets.valueAsList)),
    });

    // Prod's production properties, with the seed's sizes as parameters.
    const settings = settingsFor('prod', {
      taskSize: {
        cpu: Token.asNumber(p.cpu.valueAsString),
        memoryMiB: Token.asNumber(p.memory.valueAsString),
      },
      backend: { desiredCount: p.desiredCount.valueAsNumber, maxCount: 10 },
      gateway: { desiredCount: p.desiredCount.valueAsNumber, maxCount: 10 },
      tracing: 'none',
      wafEnabled: false,
    });

    const cluster = new ecs.Cluster(this, 'Cluster', {
      clusterName: p.clusterName.valueAsString,
      vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
      enableFargateCapacityProviders: true,
      // Named after the cluster, whose name is already unique in the account
      // and region: two stacks of this template would otherwise make two
      // namespaces of one name (see serviceConnectNamespaceFor).
      defaultCloudMapNamespace: {
        name: Fn.join('', [p.clusterName.valueAsString, '.internal']),
        useForServiceConnect: true,
      },
    });
    // Subscribed, as the CDK app refuses prod without a subscriber (found in
    // review: the template's alarms, rollback alarms included, went to nobody).
    const alarms = new AlarmTopic(this, 'AlarmTopic', { email: p.alarmEmail.valueAsString });
    const secrets = new PlatformSecrets(this, 'Secrets', {
      prefix: p.secretsPrefix.valueAsString,
      generate: false,
      replicaRegions: [],
      retain: true,
    });
    const accessLogs = new AccessLogBucket(this, 'AccessLogs', { retain: true });
    // HTTPS with the deployment's certificate, HTTP redirected to it: sign-ins,
    // passwords and tokens never cross the internet in clear (found in review:
    // the template served plain HTTP on port 80).
    const loadBalancer = new PublicLoadBalancer(this, 'LoadBalancer', {
      vpc,
      accessLogs: accessLogs.bucket,
      https: { certificateArn: p.certificateArn.valueAsString },
    });
    // The port-80 listener keeps the logical id of the one it replaces: under a
    // new id, an update of a stack made from the HTTP-only template would
    // create the redirect before deleting the old listener, and the load
    // balancer refuses a second listener on one port (found in review).
    const redirect = loadBalancer.loadBalancer.node.findChild('Redirect80To443');
    (redirect.node.defaultChild as CfnResource).overrideLogicalId(HTTP_LISTENER_LOGICAL_ID);

    const gatewayPort = p.aimlPort.valueAsNumber;
    const backendPort = p.containerPort.valueAsNumber;
    const gateway = new WebService(this, 'Gateway', {
      settings,
      cluster,
      serviceName: GATEWAY.serviceName,
      label: 'gateway',
      containerName: GATEWAY.containerName,
      port: gatewayPort,
      image: ecs.ContainerImage.fromRegistry(p.aimlImage.valueAsString),
      environment: containerEnvironment('aiml-gateway', {
        PORT: Token.asString(gatewayPort),
        DOCUTHINKER_SYNC_GRAPH: 'true',
        DOCUTHINKER_SYNC_VECTOR: 'true',
        DOCUTHINKER_CORS_ORIGINS: p.corsOrigins.valueAsString,
      }),
      secrets: secrets.containerSecretsFor('aiml-gateway'),
      scaling: settings.gateway,
      routing: {
        listener: loadBalancer.listener,
        rule: { priority: 10, pathPatterns: [GATEWAY.pathPattern] },
      },
      alarmTopic: alarms.topic,
      serviceConnect: { name: GATEWAY.containerName, port: GATEWAY.port },
    });
    this.injectProviderKeysOnlyWhenPresent(gateway, secrets, p.providerKeys);
    const backend = new WebService(this, 'Backend', {
      settings,
      cluster,
      serviceName: BACKEND.serviceName,
      label: 'backend',
      containerName: BACKEND.containerName,
      port: backendPort,
      image: ecs.ContainerImage.fromRegistry(p.backendImage.valueAsString),
      environment: containerEnvironment('backend', {
        PORT: Token.asString(backendPort),
        // The Service Connect alias keeps the gateway's standard port whatever AIMLPort is.
        DOCUTHINKER_AIML_URL: `http://${GATEWAY.containerName}:${GATEWAY.port}`,
        // Production refuses to start without it: originals must not live on task storage.
        DOCUTHINKER_DOCUMENTS_BUCKET: p.documentsBucket.valueAsString,
        // Empty (the default) allows no other origin: the services read it as unset.
        DOCUTHINKER_CORS_ORIGINS: p.corsOrigins.valueAsString,
      }),
      secrets: secrets.containerSecretsFor('backend'),
      scaling: settings.backend,
      routing: { listener: loadBalancer.listener },
      alarmTopic: alarms.topic,
    });
    const bucketArn = `arn:${Aws.PARTITION}:s3:::${p.documentsBucket.valueAsString}`;
    backend.taskDefinition.addToTaskRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: [`${bucketArn}/*`],
      }),
    );
    backend.taskDefinition.addToTaskRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucketArn] }),
    );
    Validations.of(backend.taskDefinition.taskRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::<DocumentsBucketName>/*]',
      reason:
        'Object keys are user documents created at run time; the wildcard is confined to one bucket.',
    });
    (backend.service.node.defaultChild as ecs.CfnService).addResourceDependency(
      gateway.service.node.defaultChild as ecs.CfnService,
      'Service Connect client starts after its server',
    );
    gateway.service.connections.allowFrom(
      backend.service,
      ec2.Port.tcp(gatewayPort),
      'Backend to gateway',
    );

    this.allowImagePulls(backend, p.backendImage);
    this.allowImagePulls(gateway, p.aimlImage);

    for (const web of [backend, gateway]) {
      Validations.of(web.taskDefinition).acknowledge({
        id: 'AwsSolutions-ECS2',
        reason:
          'Plain environment holds only NODE_ENV, ports and internal URLs; secrets come from Secrets Manager.',
      });
      if (web.taskDefinition.executionRole) {
        Validations.of(web.taskDefinition.executionRole).acknowledge({
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason:
            'ecr:GetAuthorizationToken, which every image pull needs, has no resource-level permissions; the pull actions name the image repository.',
        });
      }
    }

    // Output ids carry a suffix: the parameters already use the plain names.
    new CfnOutput(this, 'LoadBalancerDnsNameOutput', {
      value: loadBalancer.loadBalancer.loadBalancerDnsName,
    });
    new CfnOutput(this, 'ClusterNameOutput', { value: cluster.clusterName });
    new CfnOutput(this, 'BackendServiceNameOutput', { value: backend.service.serviceName });
    new CfnOutput(this, 'GatewayServiceNameOutput', { value: gateway.service.serviceName });
    new CfnOutput(this, 'AlarmTopicArnOutput', { value: alarms.topic.topicArn });
  }

  /**
   * The images are private ECR images given as URI parameters, which
   * `fromRegistry` pulls without granting anything: the execution role gets
   * the registry login (no resource-level permission) and the pull actions on
   * the one repository its image URI names, read from the URI itself
   * (<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>, which the
   * parameter's AllowedPattern enforces).
   */
  private allowImagePulls(web: WebService, image: CfnParameter) {
    const uri = image.valueAsString;
    const host = Fn.split('.', uri);
    const repositoryAndTag = Fn.select(1, Fn.split('.amazonaws.com/', uri));
    const repositoryName = Fn.select(0, Fn.split(':', repositoryAndTag));
    const repositoryArn = Fn.join('', [
      `arn:${Aws.PARTITION}:ecr:`,
      Fn.select(3, host),
      ':',
      Fn.select(0, host),
      ':repository/',
      repositoryName,
    ]);
    const executionRole = web.taskDefinition.obtainExecutionRole();
    executionRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PullServiceImage',
        actions: ECR_PULL_ACTIONS,
        resources: [repositoryArn],
      }),
    );
    executionRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'LogInToRegistry',
        actions: ['ecr:GetAuthorizationToken'],
        resources: ['*'],
      }),
    );
  }

  /**
   * ECS will not start a task whose secret does not exist, and a deployment
   * rarely has a key for every LLM provider: each provider key reaches the
   * gateway only when its Has…Key parameter says the secret exists (the
   * CDK stages decide the same from their context; see PlatformSecrets).
   */
  private injectProviderKeysOnlyWhenPresent(
    gateway: WebService,
    secrets: PlatformSecrets,
    providerKeys: ReadonlyMap<string, CfnParameter>,
  ) {
    // One "the switch says true" expression per provider, for its condition and the rule.
    const switchedOn = [...providerKeys].map(
      ([name, parameter]) =>
        [name, parameter, Fn.conditionEquals(parameter.valueAsString, 'true')] as const,
    );
    const present = new Map(
      switchedOn.map(([name, parameter, expression]) => [
        name,
        new CfnCondition(this, `${parameter.node.id}Condition`, { expression }),
      ]),
    );
    // The gateway refuses to start in production without any provider key.
    new CfnRule(this, 'AtLeastOneProviderKey', {
      assertions: [
        {
          assert: Fn.conditionOr(...switchedOn.map(([, , expression]) => expression)),
          assertDescription: `Set at least one of ${switchedOn
            .map(([, parameter]) => parameter.node.id)
            .join(', ')} to true: the gateway needs an LLM provider key`,
        },
      ],
    });
    const containerSecrets = Object.entries(secrets.containerSecretsFor('aiml-gateway')).map(
      ([variable, secret]) => {
        const entry = { Name: variable, ValueFrom: secret.arn };
        const name = secretByVariable(variable)?.name;
        const condition = name === undefined ? undefined : present.get(name);
        return condition ? Fn.conditionIf(condition.logicalId, entry, Aws.NO_VALUE) : entry;
      },
    );
    // The gateway task has one container (this stack runs no tracing sidecar).
    const task = gateway.taskDefinition.node.defaultChild as ecs.CfnTaskDefinition;
    task.addPropertyOverride('ContainerDefinitions.0.Secrets', containerSecrets);
  }

  private parameters() {
    const text = (
      id: string,
      description: string,
      defaultValue?: string,
      allowedPattern?: string,
    ) =>
      new CfnParameter(this, id, {
        type: 'String',
        description,
        default: defaultValue,
        allowedPattern,
      });
    const number = (
      id: string,
      description: string,
      defaultValue: number,
      allowedValues?: string[],
    ) =>
      new CfnParameter(this, id, {
        type: 'Number',
        description,
        // AllowedValues are strings in CloudFormation; the default must match one of them exactly.
        default: allowedValues ? String(defaultValue) : defaultValue,
        allowedValues,
      });
    return {
      vpcId: new CfnParameter(this, 'VpcId', {
        type: 'AWS::EC2::VPC::Id',
        description: 'VPC to deploy into',
      }),
      publicSubnets: new CfnParameter(this, 'PublicSubnets', {
        type: 'List<AWS::EC2::Subnet::Id>',
        description: 'Two public subnets in different AZs, for the load balancer',
      }),
      privateSubnets: new CfnParameter(this, 'PrivateSubnets', {
        type: 'List<AWS::EC2::Subnet::Id>',
        description: 'Two private subnets with NAT egress, for the tasks (no public IPs)',
      }),
      clusterName: text('ClusterName', 'ECS cluster to create', CLUSTER_NAME),
      backendImage: text(
        'BackendImage',
        'Backend image in private ECR, <account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>, with an immutable tag (not latest)',
        undefined,
        ECR_IMAGE_PATTERN,
      ),
      aimlImage: text(
        'AIMLImage',
        'AI/ML gateway image in private ECR, <account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>, with an immutable tag (not latest)',
        undefined,
        ECR_IMAGE_PATTERN,
      ),
      documentsBucket: text(
        'DocumentsBucketName',
        'Existing S3 bucket (encrypted, private) for original uploads',
        undefined,
        '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$',
      ),
      corsOrigins: text(
        'CorsOrigins',
        'Origins of a browser front end served from another origin, allowed by CORS by the backend and the AI/ML gateway: comma-separated scheme://host[:port] as browsers send them (lowercase, no path, trailing slash, default port or wildcard), e.g. https://app.example.com; empty allows none',
        '',
        CORS_ORIGINS_PATTERN,
      ),
      certificateArn: text(
        'CertificateArn',
        "ACM certificate for the load balancer's HTTPS listener (port 443), in this stack's region, covering the name clients use; HTTP on port 80 redirects to HTTPS",
        undefined,
        '^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]+$',
      ),
      alarmEmail: text(
        'AlarmEmail',
        'Who receives the alarms (one e-mail address): SNS sends it a confirmation first, and nothing until it is confirmed',
        undefined,
        EMAIL_ADDRESS.source,
      ),
      containerPort: number('ContainerPort', 'Port the backend listens on', BACKEND.port),
      aimlPort: number('AIMLPort', 'Port the AI/ML gateway listens on', GATEWAY.port),
      desiredCount: number('DesiredCount', 'Minimum tasks per service (autoscaling floor)', 2),
      cpu: number('CPU', 'Fargate CPU units per task', 512, ['256', '512', '1024', '2048', '4096']),
      memory: number('Memory', 'MiB per task (must pair with CPU)', 1024, [
        '512',
        '1024',
        '2048',
        '3072',
        '4096',
        '8192',
      ]),
      // One switch per optional secret (the provider keys), named after the provider.
      providerKeys: new Map(
        PLATFORM_SECRETS.filter(
          (entry) => !entry.required && entry.services.includes('aiml-gateway'),
        ).map((entry) => [
          entry.name,
          new CfnParameter(this, `Has${PROVIDER_LABELS[entry.name] ?? entry.name}Key`, {
            type: 'String',
            description: `true when the secret <SecretsPrefix>${entry.name} holds a key for the gateway (${entry.variable}); false leaves that provider out`,
            // Which key secrets exist is the deployment's to say: a switch on
            // for a missing secret keeps every gateway task from starting.
            default: 'false',
            allowedValues: ['true', 'false'],
          }),
        ]),
      ),
      secretsPrefix: text(
        'SecretsPrefix',
        'Secrets Manager name prefix, ending in /',
        'docuthinker/',
        '^[A-Za-z0-9/_+=.@-]*/$',
      ),
    };
  }
}
