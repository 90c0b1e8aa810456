import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { CHROMA } from '../settings/platform-constants';

export interface ChromaFileSystemProps {
  readonly vpc: ec2.IVpc;
  readonly retain: boolean;
}

/**
 * Chroma's data directory: EFS encrypted at rest, backed up by AWS Backup,
 * and reached through an access point that pins the owner so the container's
 * non-root user can always write, whatever uid the image was built with.
 */
export class ChromaFileSystem extends Construct {
  readonly fileSystem: efs.FileSystem;
  readonly accessPoint: efs.AccessPoint;

  constructor(scope: Construct, id: string, props: ChromaFileSystemProps) {
    super(scope, id);
    this.fileSystem = new efs.FileSystem(this, 'FileSystem', {
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      encrypted: true,
      enableAutomaticBackups: true,
      performanceMode: efs.PerformanceMode.GENERAL_PURPOSE,
      throughputMode: efs.ThroughputMode.ELASTIC,
      lifecyclePolicy: efs.LifecyclePolicy.AFTER_30_DAYS,
      // Refuse unencrypted NFS and anonymous (non-IAM) mounts.
      allowAnonymousAccess: false,
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.fileSystem.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyUnencryptedTransport',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['*'],
        conditions: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    this.accessPoint = this.fileSystem.addAccessPoint('ChromaAccessPoint', {
      path: '/chroma',
      posixUser: { uid: CHROMA.posixUid, gid: CHROMA.posixGid },
      createAcl: { ownerUid: CHROMA.posixUid, ownerGid: CHROMA.posixGid, permissions: '750' },
    });
  }
}
