import { Match } from 'aws-cdk-lib/assertions';
import {
  LOAD_BALANCER_IDLE_TIMEOUT_SECONDS,
  SERVER_KEEP_ALIVE_TIMEOUT_MS,
} from '@docuthinker/config';
import type { SynthesizedStage } from '../support/synth-stage';
import type { StageFixtures } from '../support/stage-fixtures';
import { HTTPS } from '../support/stage-fixtures';

export function edgeCases(stages: StageFixtures): void {
  describe('load balancer without a domain (dev)', () => {
    let dev: SynthesizedStage;
    beforeAll(() => {
      dev = stages.dev();
    });

    it('serves plain HTTP on 80 and has no HTTPS listener', () => {
      dev.platform.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
      dev.platform.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 80,
        Protocol: 'HTTP',
      });
    });

    it('opens only port 80 to the internet: 443 has no listener behind it', () => {
      expect(internetPortsOf(dev)).toEqual([80]);
    });
  });

  describe('load balancer with a certificate (prod)', () => {
    let prod: SynthesizedStage;
    beforeAll(() => {
      prod = stages.prod();
    });

    it('opens 80 (redirected) and 443 to the internet', () => {
      expect(internetPortsOf(prod)).toEqual([80, 443]);
    });

    it('is internet-facing in the public subnets, drops invalid headers and writes access logs to S3', () => {
      prod.platform.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
        Scheme: 'internet-facing',
        Subnets: Match.arrayWith([
          Match.objectLike({ 'Fn::ImportValue': Match.stringLikeRegexp('publicSubnet') }),
        ]),
        LoadBalancerAttributes: Match.arrayWith([
          { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
          { Key: 'access_logs.s3.enabled', Value: 'true' },
          { Key: 'access_logs.s3.bucket', Value: Match.anyValue() },
        ]),
      });
    });

    // The services' specs check that they keep idle connections for
    // SERVER_KEEP_ALIVE_TIMEOUT_MS; this, that the load balancer closes first.
    it('keeps idle connections for less time than the services do, so it closes first', () => {
      prod.platform.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
        LoadBalancerAttributes: Match.arrayWith([
          {
            Key: 'idle_timeout.timeout_seconds',
            Value: String(LOAD_BALANCER_IDLE_TIMEOUT_SECONDS),
          },
        ]),
      });
      expect(SERVER_KEEP_ALIVE_TIMEOUT_MS).toBeGreaterThan(
        LOAD_BALANCER_IDLE_TIMEOUT_SECONDS * 1000,
      );
    });

    it('has deletion protection in the stages that retain their data (prod, dr), not elsewhere', () => {
      const deletionProtection = (stage: SynthesizedStage) =>
        Object.values(stage.platform.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'))
          .flatMap(
            (alb) => alb.Properties.LoadBalancerAttributes as { Key: string; Value: string }[],
          )
          .filter((attribute) => attribute.Key === 'deletion_protection.enabled')
          .map((attribute) => attribute.Value);
      expect(deletionProtection(prod)).toEqual(['true']);
      expect(deletionProtection(stages.dr())).toEqual(['true']);
      expect(deletionProtection(stages.staging())).toEqual(['false']);
      expect(deletionProtection(stages.dev())).toEqual(['false']);
    });

    it('terminates HTTPS with the certificate and redirects HTTP to HTTPS', () => {
      prod.platform.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 443,
        Protocol: 'HTTPS',
        Certificates: [{ CertificateArn: HTTPS.certificateArn }],
        SslPolicy: Match.stringLikeRegexp('TLS13'),
      });
      prod.platform.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 80,
        Protocol: 'HTTP',
        DefaultActions: [
          {
            Type: 'redirect',
            RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' },
          },
        ],
      });
    });

    it('routes /ai/* to the gateway and everything else to the backend', () => {
      prod.platform.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/ai/*'] } }],
        Actions: [
          { Type: 'forward', TargetGroupArn: { Ref: Match.stringLikeRegexp('^GatewayTargets') } },
        ],
      });
      prod.platform.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 443,
        DefaultActions: [
          { Type: 'forward', TargetGroupArn: { Ref: Match.stringLikeRegexp('^BackendTargets') } },
        ],
      });
    });

    it('checks /health every 5 s and drops a target after two failures (~10 s), draining for 30 s', () => {
      const groups = Object.values(
        prod.platform.findResources('AWS::ElasticLoadBalancingV2::TargetGroup'),
      );
      expect(groups).toHaveLength(2);
      for (const group of groups) {
        expect(group.Properties).toMatchObject({
          TargetType: 'ip',
          HealthCheckPath: '/health',
          HealthCheckIntervalSeconds: 5,
          HealthCheckTimeoutSeconds: 4,
          UnhealthyThresholdCount: 2,
          HealthyThresholdCount: 2,
        });
        const { HealthCheckIntervalSeconds, UnhealthyThresholdCount } = group.Properties;
        expect(HealthCheckIntervalSeconds * UnhealthyThresholdCount).toBeLessThanOrEqual(10);
        expect(group.Properties.TargetGroupAttributes).toContainEqual({
          Key: 'deregistration_delay.timeout_seconds',
          Value: '60',
        });
      }
    });

    it('puts a WAF web ACL with managed rules and a rate limit in front of the ALB', () => {
      prod.platform.hasResourceProperties('AWS::WAFv2::WebACL', {
        Scope: 'REGIONAL',
        Rules: Match.arrayWith([
          Match.objectLike({ Name: 'AWSManagedRulesCommonRuleSet' }),
          Match.objectLike({ Name: 'RateLimitPerIp', Action: { Block: {} } }),
        ]),
      });
      prod.platform.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    });

    it("counts the 8 KB body rule and the body-only attack rules instead of blocking documents' text; the rest of the groups still block", () => {
      const [acl] = Object.values(prod.platform.findResources('AWS::WAFv2::WebACL'));
      const rules = acl?.Properties.Rules as {
        Name: string;
        OverrideAction?: unknown;
        Statement: { ManagedRuleGroupStatement?: { RuleActionOverrides?: unknown } };
      }[];
      const overridesOf = (name: string) => {
        const rule = rules.find((candidate) => candidate.Name === name);
        if (!rule) throw new Error(`no ${name} rule in the web ACL`);
        // Counting the whole group (OverrideAction Count) would disarm every rule in it.
        expect(rule.OverrideAction).toEqual({ None: {} });
        return rule.Statement.ManagedRuleGroupStatement?.RuleActionOverrides;
      };
      const counted = (...names: string[]) =>
        names.map((name) => ({ Name: name, ActionToUse: { Count: {} } }));
      expect(overridesOf('AWSManagedRulesCommonRuleSet')).toEqual(
        counted(
          'SizeRestrictions_BODY',
          'CrossSiteScripting_BODY',
          'GenericLFI_BODY',
          'GenericRFI_BODY',
          'EC2MetaDataSSRF_BODY',
        ),
      );
      expect(overridesOf('AWSManagedRulesKnownBadInputsRuleSet')).toEqual(
        counted('Log4JRCE_BODY', 'JavaDeserializationRCE_BODY'),
      );
      expect(overridesOf('AWSManagedRulesAmazonIpReputationList')).toBeUndefined();
    });

    it('publishes the PRIMARY failover record with a health check on the ALB', () => {
      prod.platform.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: HTTPS.domainName,
        Type: 'A',
        Failover: 'PRIMARY',
        HostedZoneId: HTTPS.hostedZone.hostedZoneId,
        HealthCheckId: Match.anyValue(),
      });
      prod.platform.hasResourceProperties('AWS::Route53::HealthCheck', {
        HealthCheckConfig: Match.objectLike({ Type: 'HTTPS', ResourcePath: '/health' }),
      });
    });

    it('keeps access logs private, encrypted, TLS-only and expiring', () => {
      const buckets = Object.values(prod.platform.findResources('AWS::S3::Bucket'));
      for (const bucket of buckets) {
        expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        });
        expect(bucket.Properties.BucketEncryption).toBeDefined();
      }
      const policies = Object.values(prod.platform.findResources('AWS::S3::BucketPolicy'));
      expect(policies).toHaveLength(buckets.length);
      for (const policy of policies) {
        expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain(
          '"aws:SecureTransport":"false"',
        );
      }
    });
  });

  describe('DR stage with a hosted zone', () => {
    let dr: SynthesizedStage;
    beforeAll(() => {
      dr = stages.dr();
    });

    it('requests a DNS-validated certificate and publishes the SECONDARY failover record', () => {
      dr.platform.hasResourceProperties('AWS::CertificateManager::Certificate', {
        DomainName: HTTPS.domainName,
        ValidationMethod: 'DNS',
      });
      dr.platform.hasResourceProperties('AWS::Route53::RecordSet', { Failover: 'SECONDARY' });
    });
  });
}

/** The ports the load balancer's security group opens to any IPv4 address, in order. */
function internetPortsOf(stage: SynthesizedStage): number[] {
  const groups = Object.entries(stage.platform.findResources('AWS::EC2::SecurityGroup')).filter(
    ([logicalId]) => logicalId.includes('LoadBalancerSecurityGroup'),
  );
  expect(groups).toHaveLength(1);
  const ingress = (groups[0]?.[1].Properties.SecurityGroupIngress ?? []) as {
    CidrIp?: string;
    FromPort: number;
  }[];
  return ingress
    .filter((rule) => rule.CidrIp === '0.0.0.0/0')
    .map((rule) => rule.FromPort)
    .sort((a, b) => a - b);
}
