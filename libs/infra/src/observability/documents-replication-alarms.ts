import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/**
 * How far behind the replica may fall before someone is told. Replication
 * without Replication Time Control has no promised delay; most objects
 * arrive within minutes, and an hour behind means the peer stage would come
 * up without the last hour's uploads.
 */
export const REPLICATION_LATENCY_ALARM_SECONDS = 3600;

export interface DocumentsReplicationAlarmsProps {
  /** The bucket that replicates (this stack's), and the peer bucket it replicates to, by name. */
  readonly sourceBucketName: string;
  readonly destinationBucketName: string;
  /** The replication rule's id: S3 reports its metrics per rule. */
  readonly ruleId: string;
  readonly topic: sns.ITopic;
}

/**
 * Alarms on the documents bucket's replication to its peer stage, from the
 * S3 Replication metrics the rule turns on: an object that failed to
 * replicate (a replica the disaster-recovery stage will never have, e.g. the
 * role lost a permission or the peer bucket is gone), and a replica falling
 * more than an hour behind. Without them replication can stop unseen until
 * the day the peer stage is needed.
 */
export class DocumentsReplicationAlarms extends Construct {
  readonly all: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: DocumentsReplicationAlarmsProps) {
    super(scope, id);
    const prefix = `${Stack.of(this).stackName}-documents-replication`;
    const metric = (metricName: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/S3',
        metricName,
        dimensionsMap: {
          SourceBucket: props.sourceBucketName,
          DestinationBucket: props.destinationBucketName,
          RuleId: props.ruleId,
        },
        statistic,
        period: Duration.minutes(5),
      });
    this.all = [
      new cloudwatch.Alarm(this, 'Failed', {
        alarmName: `${prefix}-failed`,
        alarmDescription: 'Objects of the documents bucket failed to replicate to the peer stage',
        metric: metric('OperationsFailedReplication', 'Sum'),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        // S3 reports nothing while nothing is replicated.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(this, 'Latency', {
        alarmName: `${prefix}-latency-high`,
        alarmDescription:
          'The peer stage’s replica of the documents bucket is more than an hour behind',
        metric: metric('ReplicationLatency', 'Maximum'),
        threshold: REPLICATION_LATENCY_ALARM_SECONDS,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    ];
    for (const alarm of this.all) {
      alarm.addAlarmAction(new actions.SnsAction(props.topic));
      alarm.addOkAction(new actions.SnsAction(props.topic));
    }
  }
}
