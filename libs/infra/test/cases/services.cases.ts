import { backendFields, gatewayFields, PLATFORM_SECRETS, secretsFor } from '@docuthinker/config';
import { Match } from 'aws-cdk-lib/assertions';
import {
  container,
  services,
  taskDefinitions,
  TEST_IMAGE_TAG,
  type SynthesizedStage,
  type TaskJson,
  pick,
  type CfnJson,
} from '../support/synth-stage';
import { CORS_ORIGINS, type StageFixtures } from '../support/stage-fixtures';
import { DELETED_ORIGINALS_KEPT_DAYS } from '../../src/storage/documents-bucket';

export function servicesCases(stages: StageFixtures): void {
  const SECRET_VARIABLES = new Set(PLATFORM_SECRETS.map((secret) => secret.variable));

  describe('ECS cluster and services (prod)', () => {
    let prod: SynthesizedStage;
    let tasks: Record<string, TaskJson>;
    let ecsServices: ReturnType<typeof services>;
    beforeAll(() => {
      prod = stages.prod();
      tasks = taskDefinitions(prod.platform);
      ecsServices = services(prod.platform);
    });

    it('creates docuthinker-cluster with Container Insights', () => {
      prod.platform.hasResourceProperties('AWS::ECS::Cluster', {
        ClusterName: 'docuthinker-cluster',
        ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
      });
    });

    it('runs backend-service, aiml-service and chroma-service', () => {
      expect(Object.keys(ecsServices).sort()).toEqual([
        'aiml-service',
        'backend-service',
        'chroma-service',
      ]);
    });

    it("creates each service only once the cluster's capacity providers are associated", () => {
      // Every service names FARGATE or FARGATE_SPOT: created first, on a new
      // stage, it failed with the provider "not associated with the cluster".
      const associations = Object.keys(
        prod.platform.findResources('AWS::ECS::ClusterCapacityProviderAssociations'),
      );
      expect(associations).toHaveLength(1);
      const found = prod.platform.findResources('AWS::ECS::Service');
      for (const [name, { logicalId }] of Object.entries(ecsServices)) {
        expect({ name, dependsOn: found[logicalId]?.DependsOn }).toEqual({
          name,
          dependsOn: expect.arrayContaining(associations),
        });
      }
    });

    it('keeps every task in private subnets without a public IP', () => {
      for (const service of Object.values(ecsServices)) {
        const network = service.properties.NetworkConfiguration.AwsvpcConfiguration;
        expect(network.AssignPublicIp).toBe('DISABLED');
        expect(JSON.stringify(network.Subnets)).toContain('privateSubnet');
        expect(JSON.stringify(network.Subnets)).not.toContain('publicSubnet');
      }
    });

    it('rolls back failed deployments by circuit breaker and by alarm, with 100 %/200 % healthy', () => {
      for (const name of ['backend-service', 'aiml-service']) {
        const deployment = pick(ecsServices, name).properties.DeploymentConfiguration;
        expect(deployment.DeploymentCircuitBreaker).toEqual({ Enable: true, Rollback: true });
        expect(deployment.MinimumHealthyPercent).toBe(100);
        expect(deployment.MaximumPercent).toBe(200);
        expect(deployment.Alarms.Enable).toBe(true);
        expect(deployment.Alarms.Rollback).toBe(true);
        expect(deployment.Alarms.AlarmNames).toEqual([
          expect.stringMatching(/-unhealthy-hosts$/),
          expect.stringMatching(/-5xx-high$/),
          // From the service's log: includes the calls that bypass the load balancer.
          expect.stringMatching(/-logged-5xx-high$/),
        ]);
      }
    });

    it('points deployment alarms at alarms that exist in the stack', () => {
      const alarmNames = Object.values(prod.platform.findResources('AWS::CloudWatch::Alarm')).map(
        (alarm) => alarm.Properties.AlarmName,
      );
      for (const name of ['backend-service', 'aiml-service']) {
        for (const alarmName of pick(ecsServices, name).properties.DeploymentConfiguration.Alarms
          .AlarmNames) {
          expect(alarmNames).toContain(alarmName);
        }
      }
    });

    it('leaves DesiredCount to autoscaling so a redeploy does not reset a scaled-out service', () => {
      expect(pick(ecsServices, 'backend-service').properties.DesiredCount).toBeUndefined();
      expect(pick(ecsServices, 'aiml-service').properties.DesiredCount).toBeUndefined();
    });

    it('runs Chroma as exactly one task that is stopped before its replacement starts', () => {
      const chroma = pick(ecsServices, 'chroma-service').properties;
      expect(chroma.DesiredCount).toBe(1);
      expect(chroma.DeploymentConfiguration).toMatchObject({
        MinimumHealthyPercent: 0,
        MaximumPercent: 100,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      });
    });

    it('gives the web services a health-check grace period and on-demand Fargate only in prod', () => {
      for (const name of ['backend-service', 'aiml-service']) {
        const service = pick(ecsServices, name).properties;
        expect(service.HealthCheckGracePeriodSeconds).toBe(60);
        expect(service.EnableExecuteCommand).toBe(false);
        expect(service.CapacityProviderStrategy).toEqual([
          { CapacityProvider: 'FARGATE', Weight: 1 },
        ]);
      }
    });

    it('connects backend -> gateway -> Chroma through Service Connect names', () => {
      const aliases = (name: string) =>
        (pick(ecsServices, name).properties.ServiceConnectConfiguration.Services ?? []).flatMap(
          (entry: { ClientAliases: unknown[] }) => entry.ClientAliases,
        );
      expect(aliases('aiml-service')).toEqual([{ DnsName: 'aiml-gateway', Port: 8000 }]);
      expect(aliases('chroma-service')).toEqual([{ DnsName: 'chroma', Port: 8000 }]);
      expect(
        pick(ecsServices, 'backend-service').properties.ServiceConnectConfiguration.Enabled,
      ).toBe(true);
      expect(container(pick(tasks, 'backend'), 'backend').Environment).toContainEqual({
        Name: 'DOCUTHINKER_AIML_URL',
        Value: 'http://aiml-gateway:8000',
      });
    });

    it("gives both services the deployment's CORS origins, and none when a stage is given none", () => {
      const corsOrigins = (stage: SynthesizedStage, service: 'backend' | 'aiml-gateway') =>
        (container(pick(taskDefinitions(stage.platform), service), service).Environment ?? [])
          .filter((variable) => variable.Name === 'DOCUTHINKER_CORS_ORIGINS')
          .map((variable) => variable.Value);
      for (const service of ['backend', 'aiml-gateway'] as const) {
        expect(corsOrigins(prod, service)).toEqual([CORS_ORIGINS.join(',')]);
        expect(corsOrigins(stages.staging(), service)).toEqual([]);
      }
      // The services' own parser reads back exactly the origins given.
      expect(backendFields.DOCUTHINKER_CORS_ORIGINS.parse(corsOrigins(prod, 'backend')[0])).toEqual(
        CORS_ORIGINS,
      );
    });

    it('opens the gateway only to the backend and the ALB, and Chroma only to the gateway', () => {
      const ingress = Object.values(
        prod.platform.findResources('AWS::EC2::SecurityGroupIngress'),
      ).map((rule) => rule.Properties);
      const into = (groupPrefix: string) =>
        ingress.filter((rule) => JSON.stringify(rule.GroupId).includes(groupPrefix));
      const sources = (groupPrefix: string) =>
        into(groupPrefix)
          .map((rule) => JSON.stringify(rule.SourceSecurityGroupId))
          .sort();
      expect(sources('ChromaServiceSecurityGroup')).toEqual([
        expect.stringContaining('GatewayServiceSecurityGroup'),
      ]);
      const gatewaySources = sources('GatewayServiceSecurityGroup');
      expect(gatewaySources).toHaveLength(2);
      expect(gatewaySources.some((source) => source.includes('BackendServiceSecurityGroup'))).toBe(
        true,
      );
      expect(gatewaySources.some((source) => source.includes('LoadBalancerSecurityGroup'))).toBe(
        true,
      );
      expect(
        ingress.some(
          (rule) => rule.CidrIp === '0.0.0.0/0' && !JSON.stringify(rule).includes('LoadBalancer'),
        ),
      ).toBe(false);
    });
  });

  describe('task definitions (prod)', () => {
    let prod: SynthesizedStage;
    let tasks: Record<string, TaskJson>;
    beforeAll(() => {
      prod = stages.prod();
      tasks = taskDefinitions(prod.platform);
    });

    it('sizes each task at the seed 512 CPU / 1024 MiB', () => {
      for (const task of Object.values(tasks)) {
        expect(task.properties).toMatchObject({ Cpu: '512', Memory: '1024' });
      }
    });

    it('runs every container non-root, read-only, with a /tmp volume, a health check and a 30 s stop timeout', () => {
      const all = Object.values(tasks).flatMap((task) => task.properties.ContainerDefinitions);
      expect(all.length).toBeGreaterThanOrEqual(5);
      for (const definition of all) {
        expect(definition.ReadonlyRootFilesystem).toBe(true);
        expect(definition.User).toMatch(/^[1-9]\d*:[1-9]\d*$/);
        expect(definition.StopTimeout).toBe(30);
        expect(definition.HealthCheck?.Command.length).toBeGreaterThan(1);
        expect(definition.MountPoints).toContainEqual(
          expect.objectContaining({ ContainerPath: '/tmp', ReadOnly: false }),
        );
      }
    });

    it('probes /health on the service port from inside the Node containers', () => {
      expect(container(pick(tasks, 'backend'), 'backend').HealthCheck?.Command.join(' ')).toContain(
        'http://127.0.0.1:5000/health',
      );
      expect(
        container(pick(tasks, 'aiml-gateway'), 'aiml-gateway').HealthCheck?.Command.join(' '),
      ).toContain('http://127.0.0.1:8000/health');
    });

    it('exposes the backend on 5000 and the gateway on 8000', () => {
      expect(container(pick(tasks, 'backend'), 'backend').PortMappings).toEqual([
        expect.objectContaining({ ContainerPort: 5000 }),
      ]);
      expect(container(pick(tasks, 'aiml-gateway'), 'aiml-gateway').PortMappings).toEqual([
        expect.objectContaining({ ContainerPort: 8000 }),
      ]);
    });

    it('pulls both images from ECR by the given tag', () => {
      for (const [task, name, repository] of [
        [pick(tasks, 'backend'), 'backend', 'docuthinker-backend'],
        [pick(tasks, 'aiml-gateway'), 'aiml-gateway', 'docuthinker-ai-ml'],
      ] as const) {
        const image = JSON.stringify(container(task, name).Image);
        expect(image).toContain(`:${TEST_IMAGE_TAG}`);
        expect(image).toContain('.dkr.ecr.');
        expect(JSON.stringify(prod.platform.toJSON())).toContain(repository);
      }
    });

    it('sets NODE_ENV=production and only variables the service reads, none of them a secret', () => {
      for (const [task, name, fields] of [
        [pick(tasks, 'backend'), 'backend', backendFields],
        [pick(tasks, 'aiml-gateway'), 'aiml-gateway', gatewayFields],
      ] as const) {
        const environment = container(task, name).Environment ?? [];
        expect(environment).toContainEqual({ Name: 'NODE_ENV', Value: 'production' });
        for (const variable of environment) {
          expect(Object.keys(fields)).toContain(variable.Name);
          expect(SECRET_VARIABLES.has(variable.Name)).toBe(false);
        }
      }
    });

    it('injects exactly the required catalogue secrets of each service as ECS secrets (no aiProviders given)', () => {
      for (const [task, name, service] of [
        [pick(tasks, 'backend'), 'backend', 'backend'],
        [pick(tasks, 'aiml-gateway'), 'aiml-gateway', 'aiml-gateway'],
      ] as const) {
        const injected = (container(task, name).Secrets ?? []).map((secret) => secret.Name).sort();
        expect(injected).toEqual(
          secretsFor(service)
            .filter((secret) => secret.required)
            .map((secret) => secret.variable)
            .sort(),
        );
      }
    });

    it('logs every container with awslogs to a group with the stage retention', () => {
      const groups = prod.platform.findResources('AWS::Logs::LogGroup');
      for (const task of Object.values(tasks)) {
        for (const definition of task.properties.ContainerDefinitions) {
          expect(definition.LogConfiguration?.LogDriver).toBe('awslogs');
          const ref = (definition.LogConfiguration?.Options['awslogs-group'] as { Ref: string })
            .Ref;
          expect(groups[ref]?.Properties.RetentionInDays).toBe(30);
        }
      }
    });

    it('runs the X-Ray daemon as a non-essential sidecar when tracing is on', () => {
      const daemon = container(pick(tasks, 'backend'), 'xray-daemon');
      expect(daemon.Essential).toBe(false);
      expect(JSON.stringify(daemon.Image)).toContain('aws-xray-daemon');
    });

    it('mounts Chroma data from EFS at /mnt/efs/chroma over TLS through an IAM-authorised access point', () => {
      const chroma = pick(tasks, 'chroma');
      expect(container(chroma, 'chroma').MountPoints).toContainEqual({
        SourceVolume: 'chroma-data',
        ContainerPath: '/mnt/efs/chroma',
        ReadOnly: false,
      });
      const volume = chroma.properties.Volumes?.find((entry) => entry.Name === 'chroma-data');
      expect(volume?.EFSVolumeConfiguration).toMatchObject({
        TransitEncryption: 'ENABLED',
        AuthorizationConfig: {
          IAM: 'ENABLED',
          AccessPointId: { Ref: expect.stringContaining('AccessPoint') },
        },
      });
    });

    it('encrypts and backs up the Chroma file system and pins the access point owner', () => {
      prod.platform.hasResourceProperties('AWS::EFS::FileSystem', {
        Encrypted: true,
        BackupPolicy: { Status: 'ENABLED' },
        FileSystemPolicy: Match.objectLike({
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        }),
      });
      prod.platform.hasResourceProperties('AWS::EFS::AccessPoint', {
        PosixUser: { Uid: '1000', Gid: '1000' },
        RootDirectory: {
          Path: '/chroma',
          CreationInfo: { OwnerUid: '1000', OwnerGid: '1000', Permissions: '750' },
        },
      });
      prod.platform.hasResource('AWS::EFS::FileSystem', { DeletionPolicy: 'Retain' });
    });
  });

  describe('IAM (prod)', () => {
    let prod: SynthesizedStage;
    let tasks: Record<string, TaskJson>;
    let policies: Record<
      string,
      { Properties: { PolicyDocument: { Statement: CfnJson[] }; Roles: unknown[] } }
    >;
    beforeAll(() => {
      prod = stages.prod();
      tasks = taskDefinitions(prod.platform);
      policies = prod.platform.findResources('AWS::IAM::Policy') as typeof policies;
    });

    const statementsOf = (roleRef: unknown) =>
      Object.values(policies)
        .filter((policy) =>
          JSON.stringify(policy.Properties.Roles).includes(JSON.stringify(roleRef)),
        )
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    const roleRefOf = (arn: unknown) => ({
      Ref: (arn as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0],
    });

    it('separates execution and task roles', () => {
      for (const task of Object.values(tasks)) {
        expect(JSON.stringify(task.properties.TaskRoleArn)).not.toEqual(
          JSON.stringify(task.properties.ExecutionRoleArn),
        );
      }
    });

    it('lets the backend task role reach only objects of its docuthinker-* documents bucket', () => {
      const statements = statementsOf(roleRefOf(pick(tasks, 'backend').properties.TaskRoleArn));
      const s3 = statements.filter((statement) => JSON.stringify(statement.Action).includes('s3:'));
      expect(s3.flatMap((statement) => [statement.Action].flat()).sort()).toEqual([
        's3:DeleteObject',
        's3:GetObject',
        's3:ListBucket',
        's3:PutObject',
      ]);
      for (const statement of s3)
        expect(JSON.stringify(statement.Resource)).toContain('DocumentsBucket');
      prod.platform.hasResourceProperties('AWS::S3::Bucket', {
        BucketName: Match.objectLike({
          'Fn::Join': ['', Match.arrayWith(['docuthinker-documents-prod-'])],
        }),
      });
    });

    it('expires deleted or replaced originals after 30 days: the backend only adds delete markers', () => {
      for (const stage of [prod, stages.dev()]) {
        stage.platform.hasResourceProperties('AWS::S3::Bucket', {
          BucketName: Match.objectLike({
            'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('^docuthinker-documents-')])],
          }),
          VersioningConfiguration: { Status: 'Enabled' },
          LifecycleConfiguration: {
            Rules: Match.arrayWith([
              Match.objectLike({
                Status: 'Enabled',
                NoncurrentVersionExpiration: { NoncurrentDays: DELETED_ORIGINALS_KEPT_DAYS },
                ExpiredObjectDeleteMarker: true,
              }),
            ]),
          },
        });
      }
      expect(DELETED_ORIGINALS_KEPT_DAYS).toBe(30);
    });

    it('gives no task role an action wildcard', () => {
      for (const task of Object.values(tasks)) {
        for (const statement of statementsOf(roleRefOf(task.properties.TaskRoleArn))) {
          for (const action of [statement.Action].flat()) expect(action).not.toMatch(/\*$/);
        }
      }
    });

    it('lets execution roles read only the platform secrets', () => {
      const statements = statementsOf(
        roleRefOf(pick(tasks, 'backend').properties.ExecutionRoleArn),
      );
      const secretReads = statements.filter((statement) =>
        [statement.Action].flat().some((action: string) => action.startsWith('secretsmanager:')),
      );
      expect(secretReads.length).toBeGreaterThan(0);
      for (const statement of secretReads) {
        for (const resource of [statement.Resource].flat()) {
          expect(JSON.stringify(resource)).toMatch(/secret:docuthinker\/|Secrets/);
        }
      }
    });
  });
}
