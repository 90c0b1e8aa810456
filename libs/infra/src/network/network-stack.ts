import { CfnOutput, CfnResource, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import { stageLogGroup } from '../observability/stage-log-group';
import type { StageSettings } from '../settings/stage-settings';
import { FixedSubnetCidrs } from './fixed-subnet-cidrs';

export const VPC_CIDR = '10.0.0.0/16';
/** The id CDK gives the provider of `restrictDefaultSecurityGroup`, one per stack. */
const DEFAULT_GROUP_PROVIDER_ID = 'Custom::VpcRestrictDefaultSGCustomResourceProvider';
export const PUBLIC_SUBNET_CIDRS = ['10.0.1.0/24', '10.0.2.0/24'] as const;
export const PRIVATE_SUBNET_CIDRS = ['10.0.3.0/24', '10.0.4.0/24'] as const;

export interface NetworkStackProps extends StackProps {
  readonly settings: StageSettings;
}

/** The VPC of one stage: two AZs, NAT per the stage, flow logs, and optional endpoints. */
export class NetworkStack extends Stack {
  readonly vpc: ec2.Vpc;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const availabilityZones = [...settings.availabilityZones];

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: new FixedSubnetCidrs(
        VPC_CIDR,
        { public: PUBLIC_SUBNET_CIDRS, private: PRIVATE_SUBNET_CIDRS },
        availabilityZones,
      ),
      availabilityZones,
      natGateways: settings.natGateways,
      subnetConfiguration: [
        {
          name: 'public',
          subnetType: ec2.SubnetType.PUBLIC,
          cidrMask: 24,
          mapPublicIpOnLaunch: false,
        },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
      ],
      restrictDefaultSecurityGroup: true,
    });

    const flowLogGroup = stageLogGroup(this, 'FlowLogs', settings);
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });

    if (settings.vpcEndpoints) this.addEndpoints();
    this.addNatAddressesOutput();
    this.keepDefaultGroupHandlerLogs(settings);
  }

  /**
   * `restrictDefaultSecurityGroup` runs a Lambda function (CDK's custom
   * resource provider) whose log group Lambda would create on its first run,
   * outside the stack and kept forever (found in review): it logs to a group
   * of this stack instead, kept as long as the stage's other logs. Its role
   * already may write to any log group (AWSLambdaBasicExecutionRole).
   */
  private keepDefaultGroupHandlerLogs(settings: StageSettings): void {
    const handler = this.node.tryFindChild(DEFAULT_GROUP_PROVIDER_ID)?.node.tryFindChild('Handler');
    if (!(handler instanceof CfnResource)) {
      throw new Error(
        `${DEFAULT_GROUP_PROVIDER_ID}/Handler is not in the network stack: the CDK release names its provider otherwise, and its logs would be kept forever`,
      );
    }
    const logGroup = stageLogGroup(this, 'RestrictDefaultSecurityGroupLogs', settings);
    handler.addPropertyOverride('LoggingConfig', { LogGroup: logGroup.logGroupName });
  }

  /**
   * The addresses the tasks' outbound traffic leaves from, for the allow
   * lists of what lives outside the VPC (MongoDB Atlas, Neo4j Aura).
   */
  private addNatAddressesOutput(): void {
    const addresses = this.vpc.publicSubnets.flatMap((subnet) => {
      const eip = subnet.node.tryFindChild('EIP');
      return eip instanceof ec2.CfnEIP ? [eip.attrPublicIp] : [];
    });
    if (addresses.length === 0) return;
    new CfnOutput(this, 'NatPublicIps', {
      value: Fn.join(',', addresses),
      description: 'Outbound addresses of the tasks (NAT gateways), for external allow lists',
    });
  }

  /**
   * Image pulls, log shipping and secret reads otherwise cross the NAT gateways,
   * which bill per GB; endpoints keep that traffic inside the VPC.
   */
  private addEndpoints(): void {
    const privateSubnets = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    this.vpc.addGatewayEndpoint('S3Endpoint', {
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: [privateSubnets],
    });
    const interfaceEndpoints = {
      EcrApiEndpoint: ec2.InterfaceVpcEndpointAwsService.ECR,
      EcrDockerEndpoint: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
      LogsEndpoint: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
      SecretsManagerEndpoint: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
    };
    // HTTPS from inside the VPC only. The literal CIDR (rather than the VPC's
    // CidrBlock attribute) keeps the rule reviewable, by people and by cdk-nag.
    const endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'Interface endpoints: HTTPS from inside the VPC',
      allowAllOutbound: false,
    });
    endpointSecurityGroup.addIngressRule(
      ec2.Peer.ipv4(VPC_CIDR),
      ec2.Port.tcp(443),
      'HTTPS from the VPC',
    );
    for (const [id, service] of Object.entries(interfaceEndpoints)) {
      this.vpc.addInterfaceEndpoint(id, {
        service,
        subnets: privateSubnets,
        privateDnsEnabled: true,
        securityGroups: [endpointSecurityGroup],
        open: false,
      });
    }
  }
}
