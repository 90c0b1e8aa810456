import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { STAGE_NAMES, STAGE_SETTINGS, type StageName } from '../settings/stage-settings';
import {
  imagePublishStatements,
  stageDeployStatements,
  stageDiffStatements,
  type DeployRolePolicy,
} from './deploy-role-policy';
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_ISSUER, gitHubSubjects } from './github-subjects';

/** The GitHub environment of the read-only diff job of a stage: `prod-diff` for prod. */
export function diffEnvironmentFor(stage: StageName): string {
  return `${stage}-diff`;
}

export interface GitHubDeployAccessProps {
  /** `owner/name` as the token's `sub` claim spells it (see GitHubSubjectScope). */
  readonly repository: string;
  /** Branches whose environment-less jobs may assume the image-publishing role. @default ['main'] */
  readonly branches?: readonly string[];
  /**
   * Stages that get a deploy role of their own, each trusted only by the
   * GitHub environment of the same name. @default every stage
   */
  readonly stages?: readonly StageName[];
  /**
   * An account holds one provider per issuer: pass its ARN when it exists
   * already; without it this construct creates the provider.
   */
  readonly existingProviderArn?: string;
  /**
   * The `cdk bootstrap --qualifier` of each stage, whose bootstrap roles are
   * the only ones that stage's role may assume. @default each stage's `cdkQualifier` setting
   */
  readonly cdkQualifiers?: Partial<Record<StageName, string>>;
  /**
   * Role names are `<prefix>-publish-images`, `<prefix>-deploy-<stage>` and `<prefix>-diff-<stage>`.
   * @default 'docuthinker-github'
   */
  readonly roleNamePrefix?: string;
}

/**
 * The IAM side of GitHub OIDC for .github/workflows/deploy.yml: GitHub's
 * identity provider, an image-publishing role only main's environment-less
 * jobs can assume (it pushes images and deploys nothing), and one deploy role
 * per stage that only jobs in that stage's GitHub environment can assume,
 * allowed only that stage's CDK bootstrap roles. A job on any branch that
 * names `environment: dev` gets the dev role, which cannot touch prod.
 */
export class GitHubDeployAccess extends Construct {
  readonly provider: iam.IOidcProvider;
  readonly publishRole: iam.Role;
  readonly deployRoles: ReadonlyMap<StageName, iam.Role>;
  /**
   * Per stage, a read-only role for the diff shown before a deploy is approved,
   * trusted by the GitHub environment `<stage>-diff` (no reviewers, main only):
   * the reviewers' gate sits on `<stage>`, so the diff cannot run there.
   */
  readonly diffRoles: ReadonlyMap<StageName, iam.Role>;

  constructor(scope: Construct, id: string, props: GitHubDeployAccessProps) {
    super(scope, id);
    const stages = props.stages ?? STAGE_NAMES;
    if (stages.length === 0) throw new Error('GitHub deploy access needs at least one stage');
    const prefix = props.roleNamePrefix ?? 'docuthinker-github';

    this.provider = props.existingProviderArn
      ? iam.OidcProviderNative.fromOidcProviderArn(this, 'Provider', props.existingProviderArn)
      : new iam.OidcProviderNative(this, 'Provider', {
          url: `https://${GITHUB_OIDC_ISSUER}`,
          clientIds: [GITHUB_OIDC_AUDIENCE],
        });

    this.publishRole = this.role('PublishImages', {
      roleName: `${prefix}-publish-images`,
      description: `GitHub Actions image publishing of ${props.repository} (tools/ci push-images)`,
      subjects: gitHubSubjects({
        repository: props.repository,
        branches: props.branches ?? ['main'],
        environments: [],
      }),
      policy: imagePublishStatements(Stack.of(this)),
    });

    const deployRoles = new Map<StageName, iam.Role>();
    const diffRoles = new Map<StageName, iam.Role>();
    for (const stage of stages) {
      const cdkQualifier = props.cdkQualifiers?.[stage] ?? STAGE_SETTINGS[stage].cdkQualifier;
      deployRoles.set(
        stage,
        this.role(`Deploy-${stage}`, {
          roleName: `${prefix}-deploy-${stage}`,
          description: `GitHub Actions deploys of ${props.repository} to ${stage} (tools/ci steps)`,
          subjects: gitHubSubjects({
            repository: props.repository,
            branches: [],
            environments: [stage],
          }),
          policy: stageDeployStatements(Stack.of(this), { stage, cdkQualifier }),
        }),
      );
      diffRoles.set(
        stage,
        this.role(`Diff-${stage}`, {
          roleName: `${prefix}-diff-${stage}`,
          description: `GitHub Actions diffs of ${props.repository} against ${stage} (read-only)`,
          subjects: gitHubSubjects({
            repository: props.repository,
            branches: [],
            environments: [diffEnvironmentFor(stage)],
          }),
          policy: stageDiffStatements(Stack.of(this), { stage, cdkQualifier }),
        }),
      );
    }
    this.deployRoles = deployRoles;
    this.diffRoles = diffRoles;
  }

  private role(
    id: string,
    options: {
      roleName: string;
      description: string;
      subjects: string[];
      policy: DeployRolePolicy;
    },
  ): iam.Role {
    const role = new iam.Role(this, id, {
      roleName: options.roleName,
      description: options.description,
      // The deploy job's longest step, cdk deploy of a stage, fits in an hour.
      maxSessionDuration: Duration.hours(1),
      assumedBy: new iam.WebIdentityPrincipal(this.provider.openIdConnectProviderArn, {
        StringEquals: {
          [`${GITHUB_OIDC_ISSUER}:aud`]: GITHUB_OIDC_AUDIENCE,
          [`${GITHUB_OIDC_ISSUER}:sub`]: options.subjects,
        },
      }),
    });
    for (const statement of options.policy.statements) role.addToPolicy(statement);
    // Each wildcard acknowledged on its own, with its reason.
    const defaultPolicy = role.node.findChild('DefaultPolicy');
    for (const wildcard of options.policy.wildcards) {
      Validations.of(defaultPolicy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${wildcard.resource}]`,
        reason: wildcard.reason,
      });
    }
    return role;
  }
}
