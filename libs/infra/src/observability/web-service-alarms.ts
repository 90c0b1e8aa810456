import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** The seed's metric table; a test asserts each threshold. */
export const ALARM_THRESHOLDS = {
  cpuPercent: 80,
  memoryPercent: 85,
  targetResponseTimeSeconds: 1,
  healthyHostsBelow: 1,
  unhealthyHostsAbove: 0,
  target4xxPerMinute: 100,
  target5xxPerMinute: 10,
} as const;

export interface WebServiceAlarmsProps {
  readonly serviceLabel: string;
  readonly service: ecs.BaseService;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly topic: sns.ITopic;
}

/**
 * The seed's alarms for one load-balanced service. Target-group alarms that
 * show a bad release (unhealthy targets, 5XX) double as ECS deployment alarms,
 * so a deployment that trips them rolls back on its own.
 */
export class WebServiceAlarms extends Construct {
  readonly all: cloudwatch.Alarm[] = [];
  /** Alarms that roll a deployment back. */
  readonly deploymentAlarms: cloudwatch.Alarm[];
  /**
   * Names of the alarms that roll a deployment back, as literals: a Ref to the
   * alarm would make the service depend on it and risk a dependency cycle.
   */
  readonly deploymentAlarmNames: string[];

  constructor(scope: Construct, id: string, props: WebServiceAlarmsProps) {
    super(scope, id);
    const { service, targetGroup } = props;
    const prefix = `${Stack.of(this).stackName}-${props.serviceLabel}`;
    const oneMinute = Duration.minutes(1);
    const unhealthyHostsName = `${prefix}-unhealthy-hosts`;
    const target5xxName = `${prefix}-5xx-high`;

    this.alarm(
      'Cpu',
      `${prefix}-cpu-high`,
      {
        metric: service.metricCpuUtilization({ period: oneMinute }),
        threshold: ALARM_THRESHOLDS.cpuPercent,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
      },
      props.topic,
    );
    this.alarm(
      'Memory',
      `${prefix}-memory-high`,
      {
        metric: service.metricMemoryUtilization({ period: oneMinute }),
        threshold: ALARM_THRESHOLDS.memoryPercent,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
      },
      props.topic,
    );
    this.alarm(
      'ResponseTime',
      `${prefix}-response-time-high`,
      {
        metric: targetGroup.metrics.targetResponseTime({ period: oneMinute, statistic: 'p95' }),
        threshold: ALARM_THRESHOLDS.targetResponseTimeSeconds,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
      },
      props.topic,
    );
    this.alarm(
      'NoHealthyHosts',
      `${prefix}-no-healthy-hosts`,
      {
        metric: targetGroup.metrics.healthyHostCount({ period: oneMinute, statistic: 'Minimum' }),
        threshold: ALARM_THRESHOLDS.healthyHostsBelow,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 1,
        // No data from the target group means nothing is serving.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      },
      props.topic,
    );
    const unhealthy = this.alarm(
      'UnhealthyHosts',
      unhealthyHostsName,
      {
        metric: targetGroup.metrics.unhealthyHostCount({ period: oneMinute, statistic: 'Maximum' }),
        threshold: ALARM_THRESHOLDS.unhealthyHostsAbove,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 2,
      },
      props.topic,
    );
    this.alarm(
      'Target4xx',
      `${prefix}-4xx-high`,
      {
        metric: targetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_4XX_COUNT, {
          period: oneMinute,
          statistic: 'Sum',
        }),
        threshold: ALARM_THRESHOLDS.target4xxPerMinute,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
      },
      props.topic,
    );
    const errors = this.alarm(
      'Target5xx',
      target5xxName,
      {
        metric: targetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, {
          period: oneMinute,
          statistic: 'Sum',
        }),
        threshold: ALARM_THRESHOLDS.target5xxPerMinute,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
      },
      props.topic,
    );
    this.deploymentAlarms = [unhealthy, errors];
    this.deploymentAlarmNames = [unhealthyHostsName, target5xxName];
  }

  private alarm(
    id: string,
    alarmName: string,
    props: Omit<cloudwatch.AlarmProps, 'alarmName'>,
    topic: sns.ITopic,
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...props,
      alarmName,
    });
    alarm.addAlarmAction(new actions.SnsAction(topic));
    alarm.addOkAction(new actions.SnsAction(topic));
    this.all.push(alarm);
    return alarm;
  }
}
