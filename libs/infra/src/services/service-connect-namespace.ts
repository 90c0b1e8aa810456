import type * as ecs from 'aws-cdk-lib/aws-ecs';

/**
 * The cluster's Service Connect namespace, by ARN. Left out, CDK names the
 * namespace by its name, which ECS resolves through Cloud Map's HTTP name:
 * with several namespaces of that name in the account and region (one per
 * stage), a service could join another stage's namespace.
 */
export function serviceConnectNamespaceArn(cluster: ecs.ICluster): string {
  const namespace = cluster.defaultCloudMapNamespace;
  if (!namespace) {
    throw new Error(
      `cluster ${cluster.node.path} has no default Cloud Map namespace for Service Connect`,
    );
  }
  return namespace.namespaceArn;
}
