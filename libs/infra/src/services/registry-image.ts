import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { Construct } from 'constructs';
import { SettingsError } from '../settings/settings-error';

/** The parts of a private ECR image URI. */
export interface EcrImageReference {
  readonly account: string;
  readonly region: string;
  readonly partition: string;
  readonly repositoryName: string;
  /** A tag, or a digest as `sha256:<hex>`. */
  readonly tagOrDigest: string;
}

// <account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]/<repository>[:<tag> | @sha256:<digest>]
// The repository and tag grammars are ECR's own.
const ECR_IMAGE_URI =
  /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.(amazonaws\.com(?:\.cn)?)\/((?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})|@(sha256:[a-f0-9]{64}))?$/;

/** Splits a private ECR image URI; anything else (Docker Hub, ghcr.io, ECR Public) gives undefined. */
export function parseEcrImage(image: string): EcrImageReference | undefined {
  const match = ECR_IMAGE_URI.exec(image.trim());
  if (!match) return undefined;
  const [, account, region, domain, repositoryName, tag, digest] = match;
  if (!account || !region || !domain || !repositoryName) return undefined;
  const partition = domain.endsWith('.cn')
    ? 'aws-cn'
    : region.startsWith('us-gov-')
      ? 'aws-us-gov'
      : 'aws';
  // No tag and no digest is what `docker pull` reads as :latest.
  return { account, region, partition, repositoryName, tagOrDigest: digest ?? tag ?? 'latest' };
}

/**
 * Where the `setting` (e.g. `aimlUpstreamImage`) pulls its image from: a
 * private ECR image, or undefined for another registry, pulled by name. An
 * ECR host it cannot read is refused: falling back to a pull by name would
 * bring back a task that cannot pull.
 */
export function ecrImageOf(image: string, setting: string): EcrImageReference | undefined {
  const reference = parseEcrImage(image);
  if (!reference && /\.dkr\.ecr[.-]/.test(image)) {
    throw new SettingsError(
      setting,
      `Cannot read the ECR image "${image}" (${setting}): expected <account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag> or …/<repository>@sha256:<digest>`,
    );
  }
  return reference;
}

/**
 * A container image given as a string. A private ECR image goes through an
 * imported repository, so ECS grants the task's execution role pull rights on
 * that repository (`fromRegistry` grants nothing, and the task could not pull
 * it). A repository in another account must also allow the pull in its own
 * repository policy. Other registries keep `fromRegistry`. `setting` names
 * where the image came from, for the error about an ECR URI it cannot read.
 */
export function containerImageFrom(
  scope: Construct,
  id: string,
  image: string,
  setting: string,
): ecs.ContainerImage {
  const reference = ecrImageOf(image, setting);
  if (!reference) return ecs.ContainerImage.fromRegistry(image);
  const { account, region, partition, repositoryName, tagOrDigest } = reference;
  // A literal ARN: the imported repository takes its account and region from it,
  // and so does the image URI CDK renders.
  const repository = ecr.Repository.fromRepositoryArn(
    scope,
    id,
    `arn:${partition}:ecr:${region}:${account}:repository/${repositoryName}`,
  );
  return ecs.ContainerImage.fromEcrRepository(repository, tagOrDigest);
}
