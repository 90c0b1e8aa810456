import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { STAGE_NAMES, type StageName } from '../settings/stage-settings';
import { DEFAULT_CDK_QUALIFIER, deployRoleStatements } from './deploy-role-policy';
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_ISSUER, gitHubSubjects } from './github-subjects';

export interface GitHubDeployAccessProps {
  /** `owner/name` as the token's `sub` claim spells it (see GitHubSubjectScope). */
  readonly repository: string;
  /** Branches whose environment-less jobs may assume the role. @default ['main'] */
  readonly branches?: readonly string[];
  /** GitHub environments whose jobs may assume the role. @default the stages */
  readonly environments?: readonly string[];
  /** Stages the role may deploy. @default every stage */
  readonly stages?: readonly StageName[];
  /**
   * An account holds one provider per issuer: pass its ARN when it exists
   * already; without it this construct creates the provider.
   */
  readonly existingProviderArn?: string;
  /** @default 'hnb659fds', the `cdk bootstrap` default */
  readonly cdkQualifier?: string;
  /** @default 'docuthinker-github-deploy' */
  readonly roleName?: string;
}

/**
 * The IAM side of GitHub OIDC for .github/workflows/deploy.yml: GitHub's
 * identity provider and a deploy role only this repository's main branch and
 * stage environments can assume, allowed exactly what the tools/ci steps do.
 */
export class GitHubDeployAccess extends Construct {
  readonly provider: iam.IOidcProvider;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: GitHubDeployAccessProps) {
    super(scope, id);
    const stages = props.stages ?? STAGE_NAMES;
    const subjects = gitHubSubjects({
      repository: props.repository,
      branches: props.branches ?? ['main'],
      environments: props.environments ?? stages,
    });

    this.provider = props.existingProviderArn
      ? iam.OidcProviderNative.fromOidcProviderArn(this, 'Provider', props.existingProviderArn)
      : new iam.OidcProviderNative(this, 'Provider', {
          url: `https://${GITHUB_OIDC_ISSUER}`,
          clientIds: [GITHUB_OIDC_AUDIENCE],
        });

    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName ?? 'docuthinker-github-deploy',
      description: `GitHub Actions deploys of ${props.repository} (tools/ci steps)`,
      // The deploy job's longest step, cdk deploy of a stage, fits in an hour.
      maxSessionDuration: Duration.hours(1),
      assumedBy: new iam.WebIdentityPrincipal(this.provider.openIdConnectProviderArn, {
        StringEquals: {
          [`${GITHUB_OIDC_ISSUER}:aud`]: GITHUB_OIDC_AUDIENCE,
          [`${GITHUB_OIDC_ISSUER}:sub`]: subjects,
        },
      }),
    });
    const policy = deployRoleStatements(Stack.of(this), {
      stages,
      cdkQualifier: props.cdkQualifier ?? DEFAULT_CDK_QUALIFIER,
    });
    for (const statement of policy.statements) this.role.addToPolicy(statement);
    // Each wildcard acknowledged on its own, with its reason.
    const defaultPolicy = this.role.node.findChild('DefaultPolicy');
    for (const wildcard of policy.wildcards) {
      Validations.of(defaultPolicy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${wildcard.resource}]`,
        reason: wildcard.reason,
      });
    }
  }
}
