import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';
import { BACKEND, GATEWAY } from '../settings/platform-constants';

export interface ImageRepositoriesProps {
  /** Create the repositories (the owning stage) or import them by name. */
  readonly create: boolean;
  /** Replicate every pushed image to this region (the DR region). */
  readonly replicateTo?: string;
}

/** Keep the last ten images: enough to roll back several releases, bounded storage cost. */
export const IMAGES_KEPT = 10;

/**
 * The two images Nx builds. Repository names are account-wide per region, so
 * one stage creates them and the others (and the DR region, via replication)
 * refer to them by name.
 */
export class ImageRepositories extends Construct {
  readonly backend: ecr.IRepository;
  readonly gateway: ecr.IRepository;

  constructor(scope: Construct, id: string, props: ImageRepositoriesProps) {
    super(scope, id);
    this.backend = this.repository('Backend', BACKEND.repositoryName, props.create);
    this.gateway = this.repository('Gateway', GATEWAY.repositoryName, props.create);

    if (props.create && props.replicateTo) {
      new ecr.CfnReplicationConfiguration(this, 'Replication', {
        replicationConfiguration: {
          rules: [
            {
              destinations: [{ region: props.replicateTo, registryId: Stack.of(this).account }],
              repositoryFilters: [BACKEND.repositoryName, GATEWAY.repositoryName].map((name) => ({
                filter: name,
                filterType: 'PREFIX_MATCH',
              })),
            },
          ],
        },
      });
    }
  }

  private repository(id: string, repositoryName: string, create: boolean): ecr.IRepository {
    if (!create) return ecr.Repository.fromRepositoryName(this, id, repositoryName);
    const repository = new ecr.Repository(this, id, {
      repositoryName,
      imageScanOnPush: true,
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      encryption: ecr.RepositoryEncryption.AES_256,
      // Images are the release history; deleting the stack must not delete them.
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        { description: `Keep the last ${IMAGES_KEPT} images`, maxImageCount: IMAGES_KEPT },
      ],
    });
    // CDK leaves AES256 implicit (it is ECR's default); state it so the template says what it guarantees.
    (repository.node.defaultChild as ecr.CfnRepository).encryptionConfiguration = {
      encryptionType: 'AES256',
    };
    return repository;
  }
}
