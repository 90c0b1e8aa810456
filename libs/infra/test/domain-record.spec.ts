import { HTTPS } from './support/stage-fixtures';
import { synthStage } from './support/synth-stage';

// Found in review: a stage with a hosted zone and no failover pair (staging,
// dev) had its certificate validated in the zone and no record, so its
// domain did not resolve.
describe('the domain of a stage without a failover pair', () => {
  it('is an alias of its load balancer in the hosted zone, with no failover or health check', () => {
    const { platform } = synthStage('staging', { https: { ...HTTPS, certificateArn: undefined } });
    const records = Object.values(platform.findResources('AWS::Route53::RecordSet'));
    expect(records).toHaveLength(1);
    const [loadBalancerId] = Object.keys(
      platform.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'),
    );
    expect(records[0]?.Properties).toEqual({
      HostedZoneId: HTTPS.hostedZone.hostedZoneId,
      Name: HTTPS.domainName,
      Type: 'A',
      AliasTarget: {
        DNSName: { 'Fn::GetAtt': [loadBalancerId, 'DNSName'] },
        HostedZoneId: { 'Fn::GetAtt': [loadBalancerId, 'CanonicalHostedZoneID'] },
        EvaluateTargetHealth: false,
      },
    });
    platform.resourceCountIs('AWS::Route53::HealthCheck', 0);
  });
});
