import { AspectPriority, Aspects } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { IConstruct } from 'constructs';

/**
 * Spot is ~70 % cheaper but tasks can be reclaimed with two minutes' notice:
 * outside prod, keep one on-demand task as a floor and put the rest on Spot.
 */
export function capacityStrategyFor(allowFargateSpot: boolean): ecs.CapacityProviderStrategy[] {
  if (!allowFargateSpot) return [{ capacityProvider: 'FARGATE', weight: 1 }];
  return [
    { capacityProvider: 'FARGATE', base: 1, weight: 1 },
    { capacityProvider: 'FARGATE_SPOT', weight: 3 },
  ];
}

/**
 * Makes `service` wait for the cluster's capacity provider association.
 * CDK adds that resource late, in an aspect of the cluster, and nothing
 * refers to it, so CloudFormation may create a service first: on a new stage
 * the service failed with its capacity provider "not associated with the
 * cluster", and deleting a stage could remove the association while services
 * still used it. The dependency is added by an aspect of its own that runs
 * after the cluster's (a later priority), once the association exists.
 */
export function afterCapacityProviders(service: ecs.FargateService, cluster: ecs.ICluster): void {
  const resource = service.node.defaultChild as ecs.CfnService;
  Aspects.of(resource).add(
    {
      visit(node: IConstruct): void {
        if (node !== resource) return;
        for (const child of cluster.node.children) {
          if (child instanceof ecs.CfnClusterCapacityProviderAssociations)
            resource.addResourceDependency(
              child,
              'the service needs the capacity providers associated',
            );
        }
      },
    },
    { priority: AspectPriority.DEFAULT + 1 },
  );
}
