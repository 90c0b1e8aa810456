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
 * replacement) and the ones before it, which rollback redeploys. The step
 * that tags them takes a stage's tag off its older images
 * (tools/ci/lib/deployed-images.sh, CI_DEPLOYED_IMAGES_KEPT).
 */
export const DEPLOYED_IMAGES_KEPT = 5;

/**
 * The stages that tag what they run (see deployedTagPrefix): prod alone.
 * Tagging takes ecr:PutImage and ecr:BatchDeleteImage on the repositories,
 * which no IAM condition narrows to a stage's own tags, so a dev or staging
 * role that held them could delete the images prod runs (found in review).
 * Dev and staging deploy every green commit of main, so what they run is
 * among the last IMAGES_KEPT pushed; prod waits for approval while main
 * pushes on. DR pulls its region's replicas, which nothing expires.
 */
export const STAGES_KEEPING_IMAGES: readonly StageName[] = ['prod'];

/**
 * The lifecycle rule's ceiling on tagged images: twice what the tagging step
 * keeps, so an untagging that failed (a warning of the smoke step) leaves
 * room before ECR expires the oldest of them.
 */
const DEPLOYED_IMAGES_CEILING = 2 * DEPLOYED_IMAGES_KEPT * STAGES_KEEPING_IMAGES.length;

const DEPLOYED_TAG_PREFIX = 'deployed-';

/**
 * The tag both images get once a stage has been verified on them (the smoke
 * step, tools/ci/lib/deployed-images.sh): `deployed-<stage>-<tag>`. Tags are
 * immutable, so each verified deploy adds its own; a failed or rolled-back
 * deploy adds none, so it never takes a place of the image the stage went
 * back to.
 */
export function deployedTagPrefix(stage: StageName): string {
  return `${DEPLOYED_TAG_PREFIX}${stage}-`;
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
      // pushed while prod waited for approval. So any image with a
      // `deployed-` tag is kept first. Its count is kept by the tagging
      // step, which takes the tag off all but the last DEPLOYED_IMAGES_KEPT
      // images: the ceiling is not reached, and an image no stage keeps
      // falls to the next rule.
      lifecycleRules: [
        {
          rulePriority: 1,
          description: `Keep every image prod was verified on (the tagging step keeps ${DEPLOYED_IMAGES_KEPT})`,
          tagStatus: ecr.TagStatus.TAGGED,
          tagPrefixList: [DEPLOYED_TAG_PREFIX],
          maxImageCount: DEPLOYED_IMAGES_CEILING,
        },
        {
          rulePriority: 2,
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
