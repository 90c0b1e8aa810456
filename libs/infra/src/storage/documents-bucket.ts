import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { documentsBucketNameFor } from '../settings/stage-names';
import type { StageName } from '../settings/stage-settings';
import type { DocumentsReplica } from './documents-replica';
import { DocumentsReplicationRole } from './documents-replication-role';

export interface DocumentsBucketProps {
  readonly stage: StageName;
  readonly accessLogs: s3.IBucket;
  readonly retain: boolean;
  /** The peer stage's bucket to replicate to; none while replication is off. */
  readonly replica?: DocumentsReplica;
}

/**
 * Days a deleted or replaced original stays recoverable. The bucket is
 * versioned (an operator can undo a mistaken delete), and the backend's
 * delete only adds a delete marker: without this rule a user's deleted
 * document, or an erased account's, would stay in S3 for good.
 */
export const DELETED_ORIGINALS_KEPT_DAYS = 30;

/** Where the bucket replicates to, as S3's replication metrics name it. */
export interface DocumentsReplicationRule {
  readonly ruleId: string;
  readonly destinationBucketName: string;
}

/**
 * The backend's original uploads (DOCUTHINKER_DOCUMENTS_BUCKET). The name keeps
 * the seed's `docuthinker-*` convention; account and region make it unique.
 */
export class DocumentsBucket extends Construct {
  readonly bucket: s3.Bucket;
  /** The replication rule, while replication is on. */
  readonly replication?: DocumentsReplicationRule;

  constructor(scope: Construct, id: string, props: DocumentsBucketProps) {
    super(scope, id);
    const bucketName = documentsBucketNameFor(props.stage, Aws.REGION);
    if (props.replica) {
      this.replication = {
        ruleId: `documents-to-${props.replica.stage}`,
        destinationBucketName: documentsBucketNameFor(props.replica.stage, props.replica.region),
      };
    }
    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'documents-bucket/',
      lifecycleRules: [
        {
          id: 'expire-deleted-originals',
          noncurrentVersionExpiration: Duration.days(DELETED_ORIGINALS_KEPT_DAYS),
          // Once its last version has expired, the delete marker goes too.
          expiredObjectDeleteMarker: true,
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      // User documents are the product's data: never deleted with the stack in any stage that keeps data.
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      ...(props.replica && this.replication
        ? this.replicationTo(props.stage, props.replica, this.replication)
        : {}),
    });
  }

  /**
   * One rule for every object: new versions and delete markers (a user's
   * deletion must reach the replica too; the lifecycle rule above, which
   * each bucket has, then erases both copies). Replicas are never replicated
   * back, so the peer's rule in the other direction makes no loop. The peer
   * bucket is in the same account (every stage is), referred to by name.
   */
  private replicationTo(
    stage: StageName,
    replica: DocumentsReplica,
    rule: DocumentsReplicationRule,
  ): Pick<s3.BucketProps, 'replicationRole' | 'replicationRules'> {
    const { role } = new DocumentsReplicationRole(this, 'Replication', { stage, replica });
    return {
      replicationRole: role,
      replicationRules: [
        {
          id: rule.ruleId,
          destination: s3.Bucket.fromBucketName(this, 'Replica', rule.destinationBucketName),
          deleteMarkerReplication: true,
          // S3 Replication metrics (failed operations, latency) for the alarms
          // on this rule (DocumentsReplicationAlarms). Without Replication
          // Time Control, CDK enables them with no event threshold.
          metrics: s3.ReplicationTimeValue.FIFTEEN_MINUTES,
        },
      ],
    };
  }
}
