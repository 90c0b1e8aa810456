import { Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/**
 * The services' pino lines these filters count. Written as literal patterns,
 * exactly as they were checked against real log lines: every request ends
 * with one `request completed` line carrying `res.statusCode`, and an error
 * no handler knew is logged as `unhandled error`.
 */
export const REQUEST_LOG_PATTERNS = {
  // Not 501: the gateway's documented DT_ERR_TASK_UNSUPPORTED (a task the
  // offline engine cannot do) is an answer to the request, not a fault, and a
  // burst of such requests must not roll a release back.
  serverErrors:
    '{ $.msg = "request completed" && $.res.statusCode >= 500 && $.res.statusCode != 501 }',
  unhandledErrors: '{ $.msg = "unhandled error" }',
} as const;

export interface RequestLogMetricsProps {
  readonly serviceLabel: string;
  readonly logGroup: logs.ILogGroup;
}

/**
 * Error counts taken from one service's own request log. Unlike the target
 * group's metrics they include the calls that never pass the load balancer,
 * such as the backend's calls to the gateway over Service Connect.
 */
export class RequestLogMetrics extends Construct {
  /** Answers with a 5XX status (Sum; the alarms choose the period). */
  readonly serverErrors: cloudwatch.Metric;
  /** Errors the service's error handler did not recognise. */
  readonly unhandledErrors: cloudwatch.Metric;

  constructor(scope: Construct, id: string, props: RequestLogMetricsProps) {
    super(scope, id);
    // Per stack, as the alarm names are: dev, staging and prod share an
    // account and region, and so may the raw template's stack.
    const namespace = `DocuThinker/${Stack.of(this).stackName}`;
    const { logGroup } = props;
    this.serverErrors = this.count('ServerErrors', {
      logGroup,
      namespace,
      metricName: `${props.serviceLabel}-5xx-responses`,
      pattern: REQUEST_LOG_PATTERNS.serverErrors,
    });
    this.unhandledErrors = this.count('UnhandledErrors', {
      logGroup,
      namespace,
      metricName: `${props.serviceLabel}-unhandled-errors`,
      pattern: REQUEST_LOG_PATTERNS.unhandledErrors,
    });
  }

  private count(
    id: string,
    options: {
      logGroup: logs.ILogGroup;
      namespace: string;
      metricName: string;
      pattern: string;
    },
  ): cloudwatch.Metric {
    const filter = new logs.MetricFilter(this, id, {
      logGroup: options.logGroup,
      metricNamespace: options.namespace,
      metricName: options.metricName,
      filterPattern: logs.FilterPattern.literal(options.pattern),
      metricValue: '1',
      // Zero for every other line, so a quiet service reads as 0 errors rather than no data.
      defaultValue: 0,
    });
    return filter.metric({ statistic: 'Sum' });
  }
}
