import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { HEALTH_PATHS } from '../settings/platform-constants';
import { loadBalancerAlias } from './domain-record';

export interface FailoverRecordProps {
  readonly hostedZoneId: string;
  readonly domainName: string;
  readonly role: 'PRIMARY' | 'SECONDARY';
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  readonly stage: string;
}

/**
 * One half of a Route 53 failover pair: prod publishes PRIMARY, DR publishes
 * SECONDARY for the same name. Route 53 answers with DR only while prod's
 * health check fails, so failover needs no DNS edit during an incident.
 */
export class FailoverRecord extends Construct {
  readonly healthCheck: route53.CfnHealthCheck;

  constructor(scope: Construct, id: string, props: FailoverRecordProps) {
    super(scope, id);
    this.healthCheck = new route53.CfnHealthCheck(this, 'HealthCheck', {
      healthCheckConfig: {
        type: 'HTTPS',
        fullyQualifiedDomainName: props.loadBalancer.loadBalancerDnsName,
        resourcePath: HEALTH_PATHS.liveness,
        port: 443,
        requestInterval: 10,
        failureThreshold: 3,
        enableSni: true,
      },
    });
    new route53.CfnRecordSet(this, 'Record', {
      hostedZoneId: props.hostedZoneId,
      name: props.domainName,
      type: 'A',
      setIdentifier: `docuthinker-${props.stage}`,
      failover: props.role,
      healthCheckId: this.healthCheck.attrHealthCheckId,
      aliasTarget: loadBalancerAlias(props.loadBalancer, true),
    });
  }
}
