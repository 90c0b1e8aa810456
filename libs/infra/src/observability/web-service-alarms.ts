import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { RequestLogMetrics } from './request-log-metrics';

/** The seed's metric table, then the limits on logged errors; a test asserts each threshold. */
export const ALARM_THRESHOLDS = {
  cpuPercent: 80,
  memoryPercent: 85,
  targetResponseTimeSeconds: 1,
  healthyHostsBelow: 1,
  unhealthyHostsAbove: 0,
  target4xxPerMinute: 100,
  target5xxPerMinute: 10,
  /** The same limit on the 5XX answers the service logs, whichever way the call came in. */
  logged5xxPerMinute: 10,
  unhandledErrorsPerFiveMinutes: 1,
} as const;

export interface WebServiceAlarmsProps {
  readonly serviceLabel: string;
  readonly service: ecs.BaseService;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The service's request log, counted for the errors the load balancer never sees. */
  readonly logGroup: logs.ILogGroup;
  readonly topic: sns.ITopic;
}

/**
 * The seed's alarms for one load-balanced service, plus alarms on the errors
 * in its own log. Alarms that show a bad release (unhealthy targets, target
 * 5XX, logged 5XX) double as ECS deployment alarms, so a deployment that
 * trips them rolls back on its own. The logged 5XX is there because the
 * target group sees only what comes through the load balancer, and the
 * gateway's answers to the backend, over Service Connect, never do.
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
    const logged5xxName = `${prefix}-logged-5xx-high`;

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

    const logged = new RequestLogMetrics(this, 'RequestLog', {
      serviceLabel: props.serviceLabel,
      logGroup: props.logGroup,
    });
    const loggedErrors = this.alarm(
      'Logged5xx',
      logged5xxName,
      {
        metric: logged.serverErrors.with({ period: oneMinute }),
        threshold: ALARM_THRESHOLDS.logged5xxPerMinute,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        // Two minutes in a row: a task draining in a rolling deploy may answer
        // 503 to requests still reaching it for a few seconds, which must not
        // roll a good release back; a bad release fails minute after minute.
        evaluationPeriods: 2,
      },
      props.topic,
    );
    // Not a deployment alarm: a single unhandled error is worth a look, not a rollback.
    this.alarm(
      'UnhandledErrors',
      `${prefix}-unhandled-errors`,
      {
        metric: logged.unhandledErrors.with({ period: Duration.minutes(5) }),
        threshold: ALARM_THRESHOLDS.unhandledErrorsPerFiveMinutes,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
      },
      props.topic,
    );

    this.deploymentAlarms = [unhealthy, errors, loggedErrors];
    this.deploymentAlarmNames = [unhealthyHostsName, target5xxName, logged5xxName];
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
