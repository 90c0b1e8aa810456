import { Match } from 'aws-cdk-lib/assertions';
import { REQUEST_LOG_PATTERNS } from '../../src/observability/request-log-metrics';
import { ALARM_THRESHOLDS } from '../../src/observability/web-service-alarms';
import { SCALING_TARGETS } from '../../src/services/web-service';
import type { SynthesizedStage, CfnJson } from '../support/synth-stage';
import { ALARM_EMAIL, type StageFixtures } from '../support/stage-fixtures';

export function scalingAndAlarmCases(stages: StageFixtures): void {
  describe('autoscaling (prod)', () => {
    let prod: SynthesizedStage;
    beforeAll(() => {
      prod = stages.prod();
    });

    it('scales each web service between 2 and 10 tasks', () => {
      const targets = Object.values(
        prod.platform.findResources('AWS::ApplicationAutoScaling::ScalableTarget'),
      );
      expect(targets).toHaveLength(2);
      for (const target of targets) {
        expect(target.Properties).toMatchObject({
          MinCapacity: 2,
          MaxCapacity: 10,
          ScalableDimension: 'ecs:service:DesiredCount',
        });
      }
    });

    it('tracks CPU 70 %, memory 80 % and 1000 requests per target with 60 s out / 300 s in cooldowns', () => {
      const policies = Object.values(
        prod.platform.findResources('AWS::ApplicationAutoScaling::ScalingPolicy'),
      ).map((policy) => policy.Properties.TargetTrackingScalingPolicyConfiguration);
      expect(policies).toHaveLength(6);
      const byMetric = (metric: string) =>
        policies.filter(
          (policy) => policy.PredefinedMetricSpecification.PredefinedMetricType === metric,
        );
      expect(
        byMetric('ECSServiceAverageCPUUtilization').map((policy) => policy.TargetValue),
      ).toEqual([70, 70]);
      expect(
        byMetric('ECSServiceAverageMemoryUtilization').map((policy) => policy.TargetValue),
      ).toEqual([80, 80]);
      expect(byMetric('ALBRequestCountPerTarget').map((policy) => policy.TargetValue)).toEqual([
        1000, 1000,
      ]);
      for (const policy of policies) {
        expect(policy.ScaleOutCooldown).toBe(60);
        expect(policy.ScaleInCooldown).toBe(300);
      }
      expect(SCALING_TARGETS).toMatchObject({
        cpuPercent: 70,
        memoryPercent: 80,
        requestsPerTarget: 1000,
      });
    });
  });

  describe('alarms and dashboard (prod)', () => {
    let prod: SynthesizedStage;
    let alarms: Record<string, CfnJson>[];
    beforeAll(() => {
      prod = stages.prod();
      alarms = Object.values(prod.platform.findResources('AWS::CloudWatch::Alarm')).map(
        (alarm) => alarm.Properties,
      );
    });

    const alarmFor = (service: string, suffix: string) => {
      const found = alarms.find(
        (alarm) => alarm.AlarmName === `DocuThinker-prod-Platform-${service}-${suffix}`,
      );
      if (!found) throw new Error(`no alarm ${service}-${suffix}`);
      return found;
    };

    it.each(['backend', 'gateway'])('raises the seed metric table for the %s', (service) => {
      expect(alarmFor(service, 'cpu-high')).toMatchObject({
        MetricName: 'CPUUtilization',
        Threshold: 80,
        ComparisonOperator: 'GreaterThanThreshold',
      });
      expect(alarmFor(service, 'memory-high')).toMatchObject({
        MetricName: 'MemoryUtilization',
        Threshold: 85,
      });
      expect(alarmFor(service, 'response-time-high')).toMatchObject({
        MetricName: 'TargetResponseTime',
        Threshold: 1,
      });
      expect(alarmFor(service, 'no-healthy-hosts')).toMatchObject({
        MetricName: 'HealthyHostCount',
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
      });
      expect(alarmFor(service, 'unhealthy-hosts')).toMatchObject({
        MetricName: 'UnHealthyHostCount',
        Threshold: 0,
      });
      expect(alarmFor(service, '4xx-high')).toMatchObject({
        MetricName: 'HTTPCode_Target_4XX_Count',
        Threshold: 100,
        Period: 60,
        Statistic: 'Sum',
      });
      expect(alarmFor(service, '5xx-high')).toMatchObject({
        MetricName: 'HTTPCode_Target_5XX_Count',
        Threshold: 10,
        Period: 60,
        Statistic: 'Sum',
      });
      expect(ALARM_THRESHOLDS.target5xxPerMinute).toBe(10);
    });

    // The target group sees only calls through the load balancer; the backend
    // calls the gateway over Service Connect, so those errors are counted from
    // each service's log.
    it.each([
      ['backend', 'BackendLogs'],
      ['gateway', 'GatewayLogs'],
    ])(
      "counts the %s's logged 5XX answers and unhandled errors from its own log",
      (service, logs) => {
        const filters = Object.values(prod.platform.findResources('AWS::Logs::MetricFilter'))
          .map((filter) => filter.Properties)
          .filter((filter) => filter.LogGroupName.Ref.startsWith(logs));
        const transformation = (pattern: string) => {
          const found = filters.find((filter) => filter.FilterPattern === pattern);
          if (!found) throw new Error(`no metric filter ${pattern} on ${logs}`);
          return found.MetricTransformations[0];
        };
        expect(REQUEST_LOG_PATTERNS).toEqual({
          serverErrors:
            '{ $.msg = "request completed" && $.res.statusCode >= 500 && $.res.statusCode != 501 }',
          unhandledErrors: '{ $.msg = "unhandled error" }',
        });
        const namespace = 'DocuThinker/DocuThinker-prod-Platform';
        expect(transformation(REQUEST_LOG_PATTERNS.serverErrors)).toEqual({
          MetricNamespace: namespace,
          MetricName: `${service}-5xx-responses`,
          MetricValue: '1',
          DefaultValue: 0,
        });
        expect(transformation(REQUEST_LOG_PATTERNS.unhandledErrors)).toEqual({
          MetricNamespace: namespace,
          MetricName: `${service}-unhandled-errors`,
          MetricValue: '1',
          DefaultValue: 0,
        });

        // The seed's 5XX > 10/min, on every answer the service gave.
        expect(alarmFor(service, 'logged-5xx-high')).toMatchObject({
          Namespace: namespace,
          MetricName: `${service}-5xx-responses`,
          Statistic: 'Sum',
          Period: 60,
          // Two minutes in a row: a draining task's few 503s are no bad release.
          EvaluationPeriods: 2,
          Threshold: 10,
          ComparisonOperator: 'GreaterThanThreshold',
        });
        expect(alarmFor(service, 'unhandled-errors')).toMatchObject({
          Namespace: namespace,
          MetricName: `${service}-unhandled-errors`,
          Statistic: 'Sum',
          Period: 300,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        });
      },
    );

    it("raises an alarm when Chroma has no running task, from the cluster's Container Insights", () => {
      prod.platform.hasResourceProperties('AWS::ECS::Cluster', {
        ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
      });
      const chroma = alarms.find(
        (alarm) => alarm.AlarmName === 'DocuThinker-prod-Platform-chroma-no-running-task',
      );
      expect(chroma).toMatchObject({
        Namespace: 'ECS/ContainerInsights',
        MetricName: 'RunningTaskCount',
        Dimensions: [
          { Name: 'ClusterName', Value: { Ref: expect.stringMatching(/^Cluster/) } },
          {
            Name: 'ServiceName',
            Value: { 'Fn::GetAtt': [expect.stringMatching(/^ChromaService/), 'Name'] },
          },
        ],
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
      });
    });

    it('sends every alarm and recovery to the encrypted SNS topic', () => {
      // Nine per web service (the seed's seven, logged 5XX, unhandled errors) and Chroma's.
      expect(alarms).toHaveLength(19);
      for (const alarm of alarms) {
        expect(alarm.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^AlarmTopic/) }]);
        expect(alarm.OKActions).toEqual([{ Ref: expect.stringMatching(/^AlarmTopic/) }]);
      }
      prod.platform.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
      prod.platform.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: ALARM_EMAIL,
      });
      // The topic policy replaces SNS's default one, so CloudWatch's publish is allowed in it,
      // next to the Deny without TLS, and only for this account's alarms.
      prod.platform.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: Match.objectLike({
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sns:Publish',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: 'sns:Publish',
              Resource: { Ref: Match.stringLikeRegexp('^AlarmTopic') },
              Condition: {
                StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
                ArnLike: {
                  'aws:SourceArn': {
                    'Fn::Join': [
                      '',
                      ['arn:aws:cloudwatch:us-east-1:', { Ref: 'AWS::AccountId' }, ':alarm:*'],
                    ],
                  },
                },
              },
            }),
          ]),
        }),
      });
      prod.platform.hasResourceProperties('AWS::KMS::Key', {
        EnableKeyRotation: true,
        KeyPolicy: Match.objectLike({
          Statement: Match.arrayWith([
            Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' } }),
          ]),
        }),
      });
    });

    it('builds one dashboard for the stage', () => {
      prod.platform.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
      prod.platform.hasResourceProperties('AWS::CloudWatch::Dashboard', {
        DashboardName: 'docuthinker-prod',
      });
    });

    it('outputs the ALB DNS name, cluster, service names and repository URIs', () => {
      const outputs = Object.keys(prod.platform.findOutputs('*'));
      for (const name of [
        'LoadBalancerDnsName',
        'ClusterName',
        'BackendServiceName',
        'GatewayServiceName',
        'ChromaServiceName',
        'BackendRepositoryUri',
        'GatewayRepositoryUri',
        'ChromaServiceConnectUrl',
        'BackendSecurityGroupId',
        'GatewaySecurityGroupId',
      ]) {
        expect(outputs).toContain(name);
      }
      // What external stores' rules and allow lists need (found by a review).
      expect(prod.platform.findOutputs('BackendSecurityGroupId')['BackendSecurityGroupId']).toEqual(
        expect.objectContaining({ Value: { 'Fn::GetAtt': [expect.any(String), 'GroupId'] } }),
      );
      const nat = Object.values(prod.network.findOutputs('NatPublicIps'));
      expect(nat).toHaveLength(1);
      expect(JSON.stringify(nat[0]?.Value)).toContain('PublicIp');
    });
  });
}
