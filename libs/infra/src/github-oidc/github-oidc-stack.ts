import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import {
  diffEnvironmentFor,
  GitHubDeployAccess,
  type GitHubDeployAccessProps,
} from './github-deploy-access';

export interface GitHubOidcStackProps extends StackProps, GitHubDeployAccessProps {}

const capitalized = (stage: string) => `${stage.charAt(0).toUpperCase()}${stage.slice(1)}`;

/** `DeployRoleArnProd` for prod: the output id of a stage's deploy role. */
export function deployRoleOutputId(stage: string): string {
  return `DeployRoleArn${capitalized(stage)}`;
}

/** `DiffRoleArnProd` for prod: the output id of a stage's read-only diff role. */
export function diffRoleOutputId(stage: string): string {
  return `DiffRoleArn${capitalized(stage)}`;
}

/**
 * GitHub deploy access as a stack of its own: IAM is account-wide, so it is
 * deployed once per account, apart from the per-stage stacks. Its outputs are
 * the values of the secrets deploy.yml reads: PublishRoleArn for the
 * repository secret AWS_PUBLISH_ROLE_ARN, and DeployRoleArn<Stage> for the
 * environment secret AWS_DEPLOY_ROLE_ARN of the GitHub environment <stage>,
 * and DiffRoleArn<Stage> for the same secret of the environment <stage>-diff.
 */
export class GitHubOidcStack extends Stack {
  readonly access: GitHubDeployAccess;

  constructor(scope: Construct, id: string, props: GitHubOidcStackProps) {
    super(scope, id, props);
    this.access = new GitHubDeployAccess(this, 'GitHubDeploy', props);
    new CfnOutput(this, 'PublishRoleArn', {
      value: this.access.publishRole.roleArn,
      description:
        'role-to-assume of the publish-images job in .github/workflows/deploy.yml (repository secret AWS_PUBLISH_ROLE_ARN)',
    });
    for (const [stage, role] of this.access.deployRoles) {
      new CfnOutput(this, deployRoleOutputId(stage), {
        value: role.roleArn,
        description: `role-to-assume of the ${stage} deploy jobs (secret AWS_DEPLOY_ROLE_ARN of the GitHub environment ${stage})`,
      });
    }
    for (const [stage, role] of this.access.diffRoles) {
      new CfnOutput(this, diffRoleOutputId(stage), {
        value: role.roleArn,
        description: `role-to-assume of the ${stage} diff job (secret AWS_DEPLOY_ROLE_ARN of the GitHub environment ${diffEnvironmentFor(stage)})`,
      });
    }
  }
}
