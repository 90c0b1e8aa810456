import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/**
 * Minutes without a running task before the alarm fires: a deployment stops
 * the only task before its replacement starts, a gap of a minute or two that
 * is not an outage.
 */
export const NO_RUNNING_TASK_MINUTES = 3;

export interface RunningTaskAlarmProps {
  readonly serviceLabel: string;
  readonly service: ecs.BaseService;
  readonly topic: sns.ITopic;
}

/**
 * Raises an alarm when a service without a load balancer has no running
 * task, from Container Insights' RunningTaskCount (the cluster must have
 * Container Insights on, or the metric does not exist).
 */
export class RunningTaskAlarm extends Construct {
  readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: RunningTaskAlarmProps) {
    super(scope, id);
    const { service } = props;
    this.alarm = new cloudwatch.Alarm(this, 'Alarm', {
      alarmName: `${Stack.of(this).stackName}-${props.serviceLabel}-no-running-task`,
      metric: new cloudwatch.Metric({
        namespace: 'ECS/ContainerInsights',
        metricName: 'RunningTaskCount',
        dimensionsMap: {
          ClusterName: service.cluster.clusterName,
          ServiceName: service.serviceName,
        },
        statistic: 'Minimum',
        period: Duration.minutes(1),
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: NO_RUNNING_TASK_MINUTES,
      // A service with no tasks may report nothing at all, which is the outage itself.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    this.alarm.addAlarmAction(new actions.SnsAction(props.topic));
    this.alarm.addOkAction(new actions.SnsAction(props.topic));
  }
}
