/**
 * CDK feature flags this app relies on. They live in code, not only in
 * cdk.json, so tests synthesize exactly what `cdk synth` does.
 */
export const FEATURE_FLAGS: Readonly<Record<string, unknown>> = Object.freeze({
  // Log delivery through a bucket policy, so buckets keep BucketOwnerEnforced (no ACLs).
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
  // A custom resource strips the default security group's rules (CIS 5.4).
  '@aws-cdk/aws-ec2:restrictDefaultSecurityGroup': true,
  '@aws-cdk/aws-iam:minimizePolicies': true,
  '@aws-cdk/core:target-partitions': ['aws'],
  '@aws-cdk/aws-ecs:disableExplicitDeploymentControllerForCircuitBreaker': true,
  '@aws-cdk/aws-ecs:reduceEc2FargateCloudWatchPermissions': true,
  '@aws-cdk/aws-elasticloadbalancingV2:albDualstackWithoutPublicIpv4SecurityGroupRulesDefault': true,
  '@aws-cdk/aws-efs:denyAnonymousAccess': true,
  '@aws-cdk/aws-efs:mountTargetOrderInsensitiveLogicalId': true,
  '@aws-cdk/aws-secretsmanager:useAttachedSecretResourcePolicyForSecretTargetAttachments': true,
  '@aws-cdk/core:enablePartitionLiterals': true,
  // The platform stack imports the VPC from the network stack; keep exports protected.
  '@aws-cdk/core:defaultCrossStackReferences': 'strong',
});
