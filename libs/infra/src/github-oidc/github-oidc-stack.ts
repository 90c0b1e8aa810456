import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { GitHubDeployAccess, type GitHubDeployAccessProps } from './github-deploy-access';

export interface GitHubOidcStackProps extends StackProps, GitHubDeployAccessProps {}

/**
 * GitHub deploy access as a stack of its own: IAM is account-wide, so it is
 * deployed once per account, apart from the per-stage stacks. Its output is
 * the value of the AWS_DEPLOY_ROLE_ARN secret deploy.yml reads.
 */
export class GitHubOidcStack extends Stack {
  readonly access: GitHubDeployAccess;

  constructor(scope: Construct, id: string, props: GitHubOidcStackProps) {
    super(scope, id, props);
    this.access = new GitHubDeployAccess(this, 'GitHubDeploy', props);
    new CfnOutput(this, 'DeployRoleArn', {
      value: this.access.role.roleArn,
      description: 'role-to-assume for .github/workflows/deploy.yml (secret AWS_DEPLOY_ROLE_ARN)',
    });
  }
}
