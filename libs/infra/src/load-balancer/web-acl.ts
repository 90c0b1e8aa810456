import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export interface WebAclProps {
  readonly loadBalancerArn: string;
  /** Requests per five minutes from one IP before it is blocked. */
  readonly rateLimitPerFiveMinutes?: number;
}

const MANAGED_RULE_GROUPS = [
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesAmazonIpReputationList',
] as const;

/**
 * Rules inside a managed group that only count instead of blocking. The rest
 * of each group keeps its own (blocking) action.
 *
 * SizeRestrictions_BODY blocks every body over 8 KB, which would turn document
 * uploads (up to 25 MB) and /ai/* requests carrying document text into WAF 403s.
 * No narrower WAF rule can replace it: behind an ALB, WAF sees only the first
 * 8 KB of a body, so any body-size rule here could only bound bodies at 8 KB,
 * and the backend legitimately accepts JSON bodies up to 1 MB outside uploads.
 * The apps enforce the real limits themselves (backend: 25 MB uploads, 1 MB
 * JSON; gateway: DOCUTHINKER_MAX_REQUEST_BYTES).
 *
 * The rules that look for attacks in a body (script tags, `../` paths, URLs,
 * the EC2 metadata address, `${jndi:` lookups, Java serialized objects) count
 * too: a body here is a user's document or a question about it, and a web
 * page saved as text, a security report or a shell tutorial holds exactly
 * those strings. Blocking them refused such uploads, chats and searches with
 * the WAF's bare 403. The services read bodies as data only (JSON schemas,
 * text extraction; nothing renders, includes, fetches or deserializes what a
 * document says), and the same rules still block in URIs, query strings,
 * headers and cookies.
 *
 * Counting keeps each rule's metric and sampled requests, so such traffic
 * stays visible.
 */
const COUNT_ONLY_RULES: Partial<Record<(typeof MANAGED_RULE_GROUPS)[number], readonly string[]>> = {
  AWSManagedRulesCommonRuleSet: [
    'SizeRestrictions_BODY',
    'CrossSiteScripting_BODY',
    'GenericLFI_BODY',
    'GenericRFI_BODY',
    'EC2MetaDataSSRF_BODY',
  ],
  AWSManagedRulesKnownBadInputsRuleSet: ['Log4JRCE_BODY', 'JavaDeserializationRCE_BODY'],
};

/** AWS managed rule groups plus a per-IP rate limit, in front of the ALB. */
export class WebAcl extends Construct {
  readonly acl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: WebAclProps) {
    super(scope, id);
    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });

    const managedRules: wafv2.CfnWebACL.RuleProperty[] = MANAGED_RULE_GROUPS.map((name, index) => ({
      name,
      priority: index,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name,
          ruleActionOverrides: COUNT_ONLY_RULES[name]?.map((rule) => ({
            name: rule,
            actionToUse: { count: {} },
          })),
        },
      },
      visibilityConfig: visibility(name),
    }));
    const rateLimit: wafv2.CfnWebACL.RuleProperty = {
      name: 'RateLimitPerIp',
      priority: MANAGED_RULE_GROUPS.length,
      action: { block: {} },
      statement: {
        rateBasedStatement: {
          limit: props.rateLimitPerFiveMinutes ?? 2000,
          aggregateKeyType: 'IP',
        },
      },
      visibilityConfig: visibility('RateLimitPerIp'),
    };

    this.acl = new wafv2.CfnWebACL(this, 'Acl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('docuthinker-alb'),
      rules: [...managedRules, rateLimit],
    });
    new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.loadBalancerArn,
      webAclArn: this.acl.attrArn,
    });
  }
}
