import type * as ecs from 'aws-cdk-lib/aws-ecs';

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
