import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import type { WebService } from '../services/web-service';
import type * as ecs from 'aws-cdk-lib/aws-ecs';

export interface PlatformDashboardProps {
  readonly dashboardName: string;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly webServices: Readonly<Record<string, WebService>>;
  readonly chroma: ecs.FargateService;
  /** Alarms shown next to the web services' own, such as Chroma's. */
  readonly otherAlarms?: readonly cloudwatch.IAlarm[];
}

/** One screen for an on-call engineer: traffic, errors, latency, saturation, alarms. */
export class PlatformDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: PlatformDashboardProps) {
    super(scope, id);
    const period = Duration.minutes(1);
    const services = Object.entries(props.webServices);
    const alb = props.loadBalancer.metrics;

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'ALB requests and errors',
        left: [alb.requestCount({ period })],
        right: [
          alb.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period }),
          ...services.map(([label, web]) =>
            web.targetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, {
              period,
              label: `${label} 5XX`,
            }),
          ),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Target response time (p95, s)',
        left: services.map(([label, web]) =>
          web.targetGroup.metrics.targetResponseTime({ period, statistic: 'p95', label }),
        ),
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'CPU utilisation (%)',
        left: [
          ...services.map(([label, web]) => web.service.metricCpuUtilization({ period, label })),
          props.chroma.metricCpuUtilization({ period, label: 'chroma' }),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Memory utilisation (%)',
        left: [
          ...services.map(([label, web]) => web.service.metricMemoryUtilization({ period, label })),
          props.chroma.metricMemoryUtilization({ period, label: 'chroma' }),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Healthy / unhealthy targets',
        left: services.map(([label, web]) =>
          web.targetGroup.metrics.healthyHostCount({ period, label: `${label} healthy` }),
        ),
        right: services.map(([label, web]) =>
          web.targetGroup.metrics.unhealthyHostCount({ period, label: `${label} unhealthy` }),
        ),
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: 'Alarms',
        alarms: [...services.flatMap(([, web]) => web.alarms.all), ...(props.otherAlarms ?? [])],
        width: 24,
      }),
    );
  }
}
