import { Match } from 'aws-cdk-lib/assertions';
import type { SynthesizedStage } from '../support/synth-stage';
import type { StageFixtures } from '../support/stage-fixtures';

export function networkCases(stages: StageFixtures): void {
  describe('network', () => {
    let prod: SynthesizedStage;
    let dev: SynthesizedStage;
    beforeAll(() => {
      prod = stages.prod();
      dev = stages.dev();
    });

    it('creates the 10.0.0.0/16 VPC', () => {
      prod.network.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' });
    });

    it('lays out the planned public and private /24 subnets, one of each per AZ', () => {
      const subnets = Object.values(prod.network.findResources('AWS::EC2::Subnet')).map(
        (subnet) => ({
          cidr: subnet.Properties.CidrBlock,
          zone: subnet.Properties.AvailabilityZone,
          public: subnet.Properties.MapPublicIpOnLaunch,
        }),
      );
      expect(subnets).toEqual(
        expect.arrayContaining([
          { cidr: '10.0.1.0/24', zone: 'us-east-1a', public: false },
          { cidr: '10.0.2.0/24', zone: 'us-east-1b', public: false },
          { cidr: '10.0.3.0/24', zone: 'us-east-1a', public: false },
          { cidr: '10.0.4.0/24', zone: 'us-east-1b', public: false },
        ]),
      );
      expect(subnets).toHaveLength(4);
    });

    it('routes only the public subnets to the internet gateway', () => {
      const routes = prod.network.findResources('AWS::EC2::Route', {
        Properties: { GatewayId: Match.anyValue() },
      });
      expect(Object.keys(routes).every((id) => id.includes('public'))).toBe(true);
      expect(Object.keys(routes)).toHaveLength(2);
    });

    it('runs a NAT gateway per AZ in prod and one in dev', () => {
      prod.network.resourceCountIs('AWS::EC2::NatGateway', 2);
      dev.network.resourceCountIs('AWS::EC2::NatGateway', 1);
    });

    it('records all VPC traffic in flow logs kept for the stage retention', () => {
      prod.network.hasResourceProperties('AWS::EC2::FlowLog', {
        TrafficType: 'ALL',
        LogDestinationType: 'cloud-watch-logs',
      });
      prod.network.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
      dev.network.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
    });

    // Found in review: the Lambda function behind restrictDefaultSecurityGroup
    // had no log group of the stack's, so Lambda made one kept forever.
    it('gives every Lambda function of the stages a log group with the stage retention', () => {
      for (const [stage, retention] of [
        [prod, 30],
        [dev, 7],
      ] as const) {
        const templates = [
          stage.network,
          stage.platform,
          ...(stage.registry ? [stage.registry] : []),
        ];
        const functions = templates.flatMap((template) =>
          Object.values(template.findResources('AWS::Lambda::Function')).map((fn) => ({
            template,
            fn,
          })),
        );
        expect(functions.length).toBeGreaterThan(0);
        for (const { template, fn } of functions) {
          const logGroupId = fn.Properties.LoggingConfig?.LogGroup?.Ref;
          expect(logGroupId).toEqual(expect.any(String));
          expect(
            template.findResources('AWS::Logs::LogGroup')[logGroupId]?.Properties.RetentionInDays,
          ).toBe(retention);
        }
      }
    });

    it('adds S3, ECR, CloudWatch Logs and Secrets Manager endpoints in prod, none in dev', () => {
      const serviceNames = Object.values(prod.network.findResources('AWS::EC2::VPCEndpoint')).map(
        (endpoint) => JSON.stringify(endpoint.Properties.ServiceName),
      );
      for (const service of ['.s3', '.ecr.api', '.ecr.dkr', '.logs', '.secretsmanager']) {
        expect(serviceNames.some((name) => name.includes(service))).toBe(true);
      }
      expect(serviceNames).toHaveLength(5);
      dev.network.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    });

    it('opens interface endpoints to HTTPS from inside the VPC only', () => {
      prod.network.hasResourceProperties('AWS::EC2::SecurityGroup', {
        GroupDescription: 'Interface endpoints: HTTPS from inside the VPC',
        SecurityGroupIngress: [
          Match.objectLike({ CidrIp: '10.0.0.0/16', FromPort: 443, ToPort: 443 }),
        ],
      });
    });
  });
}
