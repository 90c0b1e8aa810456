import { Aws, CfnMapping, CfnResource, Fn, Stack, Token } from 'aws-cdk-lib';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { FactName, RegionInfo } from 'aws-cdk-lib/region-info';

/**
 * Sends ALB access logs to `bucket`. With a known region CDK writes the
 * bucket policy; a region-agnostic template (the raw CloudFormation
 * alternative) looks the region's ELB log-delivery account up in a mapping.
 */
export function enableAccessLogs(
  loadBalancer: elbv2.ApplicationLoadBalancer,
  bucket: s3.IBucket,
  prefix: string,
): void {
  const stack = Stack.of(loadBalancer);
  if (!Token.isUnresolved(stack.region)) {
    loadBalancer.logAccessLogs(bucket, prefix);
    return;
  }
  const accounts = RegionInfo.regionMap(FactName.ELBV2_ACCOUNT);
  const mapping = new CfnMapping(loadBalancer, 'ElbLogDeliveryAccounts', {
    mapping: Object.fromEntries(
      Object.entries(accounts).map(([region, account]) => [region, { account }]),
    ),
  });
  const deliveryAccount = mapping.findInMap(Aws.REGION, 'account');

  loadBalancer.setAttribute('access_logs.s3.enabled', 'true');
  loadBalancer.setAttribute('access_logs.s3.bucket', bucket.bucketName);
  loadBalancer.setAttribute('access_logs.s3.prefix', prefix);
  const objects = bucket.arnForObjects(`${prefix}/AWSLogs/${Aws.ACCOUNT_ID}/*`);
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      actions: ['s3:PutObject'],
      principals: [
        new iam.ArnPrincipal(
          Fn.join('', ['arn:', Aws.PARTITION, ':iam::', deliveryAccount, ':root']),
        ),
      ],
      resources: [objects],
    }),
  );
  const logDelivery = new iam.ServicePrincipal('delivery.logs.amazonaws.com');
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      actions: ['s3:PutObject'],
      principals: [logDelivery],
      resources: [objects],
      conditions: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
    }),
  );
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      actions: ['s3:GetBucketAcl'],
      principals: [logDelivery],
      resources: [bucket.bucketArn],
    }),
  );
  // ELB checks write access when the attribute is set: the policy must exist first.
  const policy = bucket.policy?.node.defaultChild;
  const cfnLoadBalancer = loadBalancer.node.defaultChild;
  if (CfnResource.isCfnResource(policy) && CfnResource.isCfnResource(cfnLoadBalancer)) {
    cfnLoadBalancer.addResourceDependency(policy);
  }
}
