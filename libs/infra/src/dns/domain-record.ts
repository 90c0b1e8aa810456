import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';

export interface DomainRecordProps {
  readonly hostedZoneId: string;
  readonly domainName: string;
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
}

/** A record's alias of the load balancer (Route 53 answers with its addresses). */
export function loadBalancerAlias(
  loadBalancer: elbv2.IApplicationLoadBalancer,
  evaluateTargetHealth: boolean,
): route53.CfnRecordSet.AliasTargetProperty {
  return {
    dnsName: loadBalancer.loadBalancerDnsName,
    hostedZoneId: loadBalancer.loadBalancerCanonicalHostedZoneId,
    evaluateTargetHealth,
  };
}

/**
 * The stage's domain as an alias of its load balancer, for a stage with a
 * hosted zone and no failover pair (dev, staging). Found in review: such a
 * stage got its certificate validated in the zone and no record, so its
 * domain did not resolve (the smoke test dials the load balancer directly
 * and did not notice).
 */
export class DomainRecord extends Construct {
  constructor(scope: Construct, id: string, props: DomainRecordProps) {
    super(scope, id);
    new route53.CfnRecordSet(this, 'Record', {
      hostedZoneId: props.hostedZoneId,
      name: props.domainName,
      type: 'A',
      aliasTarget: loadBalancerAlias(props.loadBalancer, false),
    });
  }
}
