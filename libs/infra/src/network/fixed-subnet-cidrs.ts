import type {
  AllocateCidrRequest,
  IIpAddresses,
  SubnetIpamOptions,
  VpcIpamOptions,
} from 'aws-cdk-lib/aws-ec2';

/**
 * Hands the VPC the exact subnet CIDRs of the seed's network plan
 * (public 10.0.1.0/24 + 10.0.2.0/24, private 10.0.3.0/24 + 10.0.4.0/24).
 * CDK's own allocator packs subnets from 10.0.0.0, which would move every
 * subnet and break peering, firewall rules and runbooks written against the plan.
 */
export class FixedSubnetCidrs implements IIpAddresses {
  constructor(
    private readonly vpcCidr: string,
    /** Subnet group name -> one CIDR per availability zone, in AZ order. */
    private readonly cidrsByGroup: Readonly<Record<string, readonly string[]>>,
    private readonly availabilityZones: readonly string[],
  ) {}

  allocateVpcCidr(): VpcIpamOptions {
    return { cidrBlock: this.vpcCidr };
  }

  allocateSubnetsCidr(input: AllocateCidrRequest): SubnetIpamOptions {
    return {
      allocatedSubnets: input.requestedSubnets.map((subnet) => {
        const group = subnet.configuration.name;
        const zoneIndex = this.availabilityZones.indexOf(subnet.availabilityZone);
        const cidr = this.cidrsByGroup[group]?.[zoneIndex];
        if (!cidr) {
          throw new Error(
            `No CIDR planned for subnet group "${group}" in ${subnet.availabilityZone}`,
          );
        }
        return { cidr };
      }),
    };
  }
}
