import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';
import { BACKEND, GATEWAY } from '../settings/platform-constants';
import type { StageName } from '../settings/stage-settings';

export interface ImageRepositoriesProps {
  /** Create the repositories (the owning stage) or import them by name. */
  readonly create: boolean;
  /** Replicate every pushed image to this region (the DR region). */
  readonly replicateTo?: string;
}

/** Keep the last ten images: enough to roll back several releases, bounded storage cost. */
export const IMAGES_KEPT = 10;

/**
 * The images each stage was last verified on, kept whatever else is pushed:
 * the one a stage runs (its tasks pull it again on every scale-out or
 * replacement) and the ones before it, which rollback redeploys.
 */
export const DEPLOYED_IMAGES_KEPT = 5;

/**
 * The stages that pull from these repositories, in the order their
 * lifecycle rules apply (see ImageRepositories). DR pulls its region's
 * replicas, which nothing expires.
 */
export const STAGES_KEEPING_IMAGES: readonly StageName[] = ['prod', 'staging', 'dev'];

/**
 * The tag both images get once a stage has been verified on them (the smoke
 * step, tools/ci/lib/deployed-images.sh): `deployed-<stage>-<tag>`. Tags are
 * immutable, so each verified deploy adds its own; a failed or rolled-back
 * deploy adds none, so it never pushes the image the stage runs out of the
 * kept ones (ECR counts them by push time).
 */
export function deployedTagPrefix(stage: StageName): string {
  return `deployed-${stage}-`;
}

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
      // Every green commit pushes an image, deployed or not: a count over all
      // images alone would expire the one prod runs once ten more had been
      // pushed while prod waited for approval. An image a rule's tags select
      // can only be expired by that rule, never by a later one, so the stage
      // rules come first, prod's first of all: an image deployed to prod and
      // dev is then counted among prod's.
      lifecycleRules: [
        ...STAGES_KEEPING_IMAGES.map((stage, index) => ({
          rulePriority: index + 1,
          description: `Keep the last ${DEPLOYED_IMAGES_KEPT} images deployed to ${stage}`,
          tagStatus: ecr.TagStatus.TAGGED,
          tagPrefixList: [deployedTagPrefix(stage)],
          maxImageCount: DEPLOYED_IMAGES_KEPT,
        })),
        {
          rulePriority: STAGES_KEEPING_IMAGES.length + 1,
          description: `Keep the last ${IMAGES_KEPT} images of any other kind`,
          tagStatus: ecr.TagStatus.ANY,
          maxImageCount: IMAGES_KEPT,
        },
      ],
    });
    // CDK leaves AES256 implicit (it is ECR's default); state it so the template says what it guarantees.
    (repository.node.defaultChild as ecr.CfnRepository).encryptionConfiguration = {
      encryptionType: 'AES256',
    };
    return repository;
  }
}
