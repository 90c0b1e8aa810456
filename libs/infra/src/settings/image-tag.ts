import type { StageName } from './stage-settings';
import { SYNTH_ONLY_IMAGE_TAG } from './platform-constants';
import { SettingsError } from './settings-error';

export class ImageTagError extends SettingsError {
  override readonly name: string = 'ImageTagError';

  constructor(message: string) {
    super('imageTag', message);
  }
}

export interface ImageTagSources {
  readonly stage: StageName;
  /** `-c imageTag=…` on the cdk command line. */
  readonly fromContext?: unknown;
  /** IMAGE_TAG from the environment (set by CI to the commit SHA). */
  readonly fromEnvironment?: string;
  /** Synth and tests may run without a tag; deploy and diff may not. */
  readonly synthOnly: boolean;
}

const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/**
 * The image tag to deploy. Tags are immutable in ECR, so a moving tag like
 * `latest` would either fail to push or, worse, silently pin an old image;
 * prod therefore demands an explicit, non-`latest` tag.
 */
export function resolveImageTag(sources: ImageTagSources): string {
  const raw = sources.fromContext ?? sources.fromEnvironment;
  const tag = typeof raw === 'string' ? raw.trim() : undefined;
  if (!tag) {
    if (sources.synthOnly) return SYNTH_ONLY_IMAGE_TAG;
    throw new ImageTagError(
      `IMAGE_TAG is not set: pass IMAGE_TAG=<commit sha> or -c imageTag=<tag> to deploy ${sources.stage}`,
    );
  }
  if (!TAG_PATTERN.test(tag)) {
    throw new ImageTagError(`IMAGE_TAG "${tag}" is not a valid image tag`);
  }
  // DR serves production's traffic after a failover, from replicas of prod's
  // repositories (found in review: only prod refused it).
  if ((sources.stage === 'prod' || sources.stage === 'dr') && tag === 'latest') {
    throw new ImageTagError(
      `IMAGE_TAG "latest" is refused for ${sources.stage}: deploy an immutable tag`,
    );
  }
  if (!sources.synthOnly && tag === SYNTH_ONLY_IMAGE_TAG) {
    throw new ImageTagError(
      `IMAGE_TAG "${SYNTH_ONLY_IMAGE_TAG}" is a synth placeholder, not an image`,
    );
  }
  return tag;
}
