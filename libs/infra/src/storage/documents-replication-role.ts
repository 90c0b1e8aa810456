import { Aws, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { documentsBucketNameFor } from '../settings/stage-names';
import type { StageName } from '../settings/stage-settings';
import type { DocumentsReplica } from './documents-replica';

export interface DocumentsReplicationRoleProps {
  /** The stage whose documents bucket (in this stack's region) is replicated. */
  readonly stage: StageName;
  /** The peer stage's documents bucket, in its own region. */
  readonly replica: DocumentsReplica;
}

/**
 * The role S3 assumes to copy one documents bucket's new versions and delete
 * markers to the peer's, and nothing else: read what replication reads on the
 * source, write replicas on the destination. The buckets are named, not
 * referenced: the peer lives in another region's stack, and naming the source
 * keeps the role free of the bucket that points at it. The permissions are
 * inline, so they exist before the bucket's replication rule does. Both
 * buckets use SSE-S3, so no KMS key is involved.
 */
export class DocumentsReplicationRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: DocumentsReplicationRoleProps) {
    super(scope, id);
    const { stage, replica } = props;
    const source = `arn:${Aws.PARTITION}:s3:::${documentsBucketNameFor(stage, Aws.REGION)}`;
    const destination = `arn:${Aws.PARTITION}:s3:::${documentsBucketNameFor(replica.stage, replica.region)}`;
    this.role = new iam.Role(this, 'Role', {
      // S3 acting for this bucket of this account only (no confused deputy).
      assumedBy: new iam.ServicePrincipal('s3.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': source },
        },
      }),
      description: `S3 replication of the ${stage} documents bucket to the ${replica.stage} one (${replica.region})`,
      inlinePolicies: {
        replication: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'],
              resources: [source],
            }),
            new iam.PolicyStatement({
              actions: [
                's3:GetObjectVersionForReplication',
                's3:GetObjectVersionAcl',
                's3:GetObjectVersionTagging',
              ],
              resources: [`${source}/*`],
            }),
            new iam.PolicyStatement({
              actions: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'],
              resources: [`${destination}/*`],
            }),
          ],
        }),
      },
    });
    this.acknowledgeObjectWildcards(stage, replica);
  }

  /**
   * Replication acts on every object version, whose keys users create at run
   * time: the object wildcard is unavoidable, and each stays within one bucket.
   * The ids spell the two ARNs as cdk-nag prints them.
   */
  private acknowledgeObjectWildcards(stage: StageName, replica: DocumentsReplica): void {
    const objectsOf = (bucketStage: StageName, region: string) =>
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${documentsBucketNameFor(bucketStage, region, '<AWS::AccountId>')}/*]`;
    Validations.of(this.role).acknowledge({
      id: objectsOf(stage, '<AWS::Region>'),
      reason:
        "Replication reads every version of the objects (user documents, keys made at run time) of this stage's documents bucket only.",
    });
    Validations.of(this.role).acknowledge({
      id: objectsOf(replica.stage, replica.region),
      reason:
        "Replication writes the replicas of those objects, under the same keys, into the peer stage's documents bucket only.",
    });
  }
}
