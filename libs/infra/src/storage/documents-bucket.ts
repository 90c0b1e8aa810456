import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface DocumentsBucketProps {
  readonly stage: string;
  readonly accessLogs: s3.IBucket;
  readonly retain: boolean;
}

/**
 * Days a deleted or replaced original stays recoverable. The bucket is
 * versioned (an operator can undo a mistaken delete), and the backend's
 * delete only adds a delete marker: without this rule a user's deleted
 * document, or an erased account's, would stay in S3 for good.
 */
export const DELETED_ORIGINALS_KEPT_DAYS = 30;

/**
 * The backend's original uploads (DOCUTHINKER_DOCUMENTS_BUCKET). The name keeps
 * the seed's `docuthinker-*` convention; account and region make it unique.
 */
export class DocumentsBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: DocumentsBucketProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: `docuthinker-documents-${props.stage}-${Aws.ACCOUNT_ID}-${Aws.REGION}`,
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
    });
  }
}
