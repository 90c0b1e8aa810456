import { RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { StageSettings } from '../settings/stage-settings';

/** A log group of the stack, kept as long as the stage keeps logs, and kept with its data. */
export function stageLogGroup(
  scope: Construct,
  id: string,
  settings: StageSettings,
): logs.LogGroup {
  return new logs.LogGroup(scope, id, {
    retention: settings.logRetentionDays,
    removalPolicy: settings.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
}
