import { Match } from 'aws-cdk-lib/assertions';
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

    it('sends every alarm and recovery to the encrypted SNS topic', () => {
      expect(alarms).toHaveLength(14);
      for (const alarm of alarms) {
        expect(alarm.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^AlarmTopic/) }]);
        expect(alarm.OKActions).toEqual([{ Ref: expect.stringMatching(/^AlarmTopic/) }]);
      }
      prod.platform.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
      prod.platform.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: ALARM_EMAIL,
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
      ]) {
        expect(outputs).toContain(name);
      }
    });
  });
}
