import {
  container,
  executionRoleStatements,
  services,
  taskDefinitions,
  type SynthesizedStage,
  pick,
} from '../support/synth-stage';
import type { StageFixtures } from '../support/stage-fixtures';
import { UPSTREAM_IMAGE } from '../support/stage-fixtures';

export function stageDifferenceCases(stages: StageFixtures): void {
  describe('what differs outside prod (dev)', () => {
    let dev: SynthesizedStage;
    beforeAll(() => {
      dev = stages.dev();
    });

    it('names the cluster after the stage so it can share prod’s account', () => {
      dev.platform.hasResourceProperties('AWS::ECS::Cluster', {
        ClusterName: 'docuthinker-cluster-dev',
      });
    });

    it('enables ECS Exec and puts all but one task on Fargate Spot for the web services', () => {
      const ecsServices = services(dev.platform);
      for (const name of ['backend-service', 'aiml-service']) {
        expect(pick(ecsServices, name).properties.EnableExecuteCommand).toBe(true);
        expect(pick(ecsServices, name).properties.CapacityProviderStrategy).toEqual([
          { CapacityProvider: 'FARGATE', Base: 1, Weight: 1 },
          { CapacityProvider: 'FARGATE_SPOT', Weight: 3 },
        ]);
      }
      // The single Chroma writer never runs on Spot.
      expect(pick(ecsServices, 'chroma-service').properties.CapacityProviderStrategy).toEqual([
        { CapacityProvider: 'FARGATE', Weight: 1 },
      ]);
    });

    it('gives the SSM agent of ECS Exec writable paths under the read-only root', () => {
      const tasks = taskDefinitions(dev.platform);
      for (const name of ['backend', 'aiml-gateway', 'chroma']) {
        const main = container(pick(tasks, name), name);
        expect(main.ReadonlyRootFilesystem).toBe(true);
        const writable = (main.MountPoints ?? []).map((mount) => mount.ContainerPath);
        expect(writable).toEqual(
          expect.arrayContaining(['/tmp', '/var/lib/amazon', '/var/log/amazon']),
        );
      }
      // Prod has no ECS Exec, so no such volumes either.
      const prodTasks = taskDefinitions(stages.prod().platform);
      for (const name of ['backend', 'aiml-gateway', 'chroma']) {
        const main = container(pick(prodTasks, name), name);
        expect((main.MountPoints ?? []).map((mount) => mount.ContainerPath)).not.toContain(
          '/var/lib/amazon',
        );
      }
    });

    it("refers to its own stage's Service Connect namespace, by ARN", () => {
      dev.platform.hasResourceProperties('AWS::ServiceDiscovery::PrivateDnsNamespace', {
        Name: 'docuthinker-dev.internal',
      });
      stages.prod().platform.hasResourceProperties('AWS::ServiceDiscovery::PrivateDnsNamespace', {
        Name: 'docuthinker.internal',
      });
      stages
        .staging()
        .platform.hasResourceProperties('AWS::ServiceDiscovery::PrivateDnsNamespace', {
          Name: 'docuthinker-staging.internal',
        });
      for (const stage of [dev, stages.prod()]) {
        const [namespaceId] = Object.keys(
          stage.platform.findResources('AWS::ServiceDiscovery::PrivateDnsNamespace'),
        );
        for (const service of Object.values(services(stage.platform))) {
          expect(service.properties.ServiceConnectConfiguration.Namespace).toEqual({
            'Fn::GetAtt': [namespaceId, 'Arn'],
          });
        }
      }
    });

    it('keeps logs for 7 days and lets the stack delete its log groups', () => {
      const groups = Object.values(dev.platform.findResources('AWS::Logs::LogGroup'));
      expect(groups.length).toBeGreaterThanOrEqual(3);
      for (const group of groups) {
        expect(group.Properties.RetentionInDays).toBe(7);
        expect(group.DeletionPolicy).toBe('Delete');
      }
    });

    it('scales between 1 and 2 tasks and has no WAF or tracing sidecar', () => {
      for (const target of Object.values(
        dev.platform.findResources('AWS::ApplicationAutoScaling::ScalableTarget'),
      )) {
        expect(target.Properties).toMatchObject({ MinCapacity: 1, MaxCapacity: 2 });
      }
      dev.platform.resourceCountIs('AWS::WAFv2::WebACL', 0);
      const names = Object.values(taskDefinitions(dev.platform)).flatMap((task) =>
        task.properties.ContainerDefinitions.map((definition) => definition.Name),
      );
      expect(names).not.toContain('xray-daemon');
    });

    it('runs the FastAPI container as a sidecar of the gateway on 8001 when an image is given', () => {
      const gateway = pick(taskDefinitions(dev.platform), 'aiml-gateway');
      const upstream = container(gateway, 'aiml-upstream');
      // Rendered from the imported ECR repository: account, region and repository of the URI given.
      expect(upstream.Image).toEqual({
        'Fn::Join': [
          '',
          [
            '111111111111.dkr.ecr.us-east-1.',
            { Ref: 'AWS::URLSuffix' },
            '/docuthinker-fastapi:3f2c1ab',
          ],
        ],
      });
      expect(UPSTREAM_IMAGE).toBe(
        '111111111111.dkr.ecr.us-east-1.amazonaws.com/docuthinker-fastapi:3f2c1ab',
      );
      expect(upstream.PortMappings).toEqual([expect.objectContaining({ ContainerPort: 8001 })]);
      expect(upstream).toMatchObject({ ReadonlyRootFilesystem: true, StopTimeout: 30 });
      expect(container(gateway, 'aiml-gateway').Environment).toContainEqual({
        Name: 'DOCUTHINKER_AIML_UPSTREAM_URL',
        Value: 'http://127.0.0.1:8001',
      });
    });

    it('lets the gateway execution role pull a private ECR FastAPI image from its repository', () => {
      const gateway = pick(taskDefinitions(dev.platform), 'aiml-gateway');
      const statements = executionRoleStatements(dev.platform, gateway);
      const repositoryArn = 'arn:aws:ecr:us-east-1:111111111111:repository/docuthinker-fastapi';
      const pull = statements.find(
        (statement) =>
          statement.Effect === 'Allow' && [statement.Resource].flat().includes(repositoryArn),
      );
      expect(pull?.Action).toEqual(
        expect.arrayContaining(['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']),
      );
    });

    it('has no sidecar and no upstream URL when no FastAPI image is given', () => {
      const plain = stages.staging();
      const gateway = pick(taskDefinitions(plain.platform), 'aiml-gateway');
      expect(
        gateway.properties.ContainerDefinitions.map((definition) => definition.Name),
      ).not.toContain('aiml-upstream');
      expect(JSON.stringify(container(gateway, 'aiml-gateway').Environment)).not.toContain(
        'UPSTREAM',
      );
    });
  });

  describe('DR stage', () => {
    let dr: SynthesizedStage;
    beforeAll(() => {
      dr = stages.dr();
    });

    it('deploys to us-west-2 with the seed cluster name and a NAT gateway per AZ', () => {
      expect(dr.stacks.platform.region).toBe('us-west-2');
      dr.platform.hasResourceProperties('AWS::ECS::Cluster', {
        ClusterName: 'docuthinker-cluster',
      });
      dr.network.resourceCountIs('AWS::EC2::NatGateway', 2);
    });

    it('pulls images from the replicated repositories in its own region', () => {
      const image = JSON.stringify(
        container(pick(taskDefinitions(dr.platform), 'backend'), 'backend').Image,
      );
      expect(image).toContain('docuthinker-backend');
      dr.platform.resourceCountIs('AWS::ECR::Repository', 0);
    });

    it('protects both stacks from accidental deletion', () => {
      expect(dr.stacks.network.terminationProtection).toBe(true);
      expect(dr.stacks.platform.terminationProtection).toBe(true);
    });
  });
}
