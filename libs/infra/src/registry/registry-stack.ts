import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ImageRepositories } from './image-repositories';

/** The stack of the image repositories, deployed once per account: see RegistryStack. */
export const REGISTRY_STACK_NAME = 'DocuThinker-Registry';

export interface RegistryStackProps extends StackProps {
  /** The DR region: every pushed image is replicated there. */
  readonly replicateTo?: string;
}

/**
 * The two image repositories, in a stack of their own. They must exist before
 * the first image is pushed, and the first Platform stack cannot start its
 * services without an image: in the Platform stack, a fresh account could not
 * be deployed at all (the push failed for want of repositories, and a Platform
 * deploy rolled back for want of images, leaving the retained repositories in
 * the way of the next attempt). Deployed first with
 * `nx run infra:deploy-registry` (libs/infra/README.md, First deploy), then by
 * every prod deploy, ahead of the Platform stack that pulls from it.
 */
export class RegistryStack extends Stack {
  readonly repositories: ImageRepositories;

  constructor(scope: Construct, id: string, props: RegistryStackProps) {
    super(scope, id, props);
    this.repositories = new ImageRepositories(this, 'Images', {
      create: true,
      replicateTo: props.replicateTo,
    });
  }
}
