/** Issuer and audience of the tokens GitHub Actions mints for AWS. */
export const GITHUB_OIDC_ISSUER = 'token.actions.githubusercontent.com';
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

export interface GitHubSubjectScope {
  /**
   * The repository as the token's `sub` claim spells it: `owner/name`, or
   * `owner@owner-id/name@repo-id` for repositories with immutable subject claims.
   */
  readonly repository: string;
  /** Branches whose jobs without an environment may assume the role (image publishing). */
  readonly branches: readonly string[];
  /** GitHub environments whose jobs may assume the role (one per deployed stage). */
  readonly environments: readonly string[];
}

const REPOSITORY_PATTERN = /^[A-Za-z0-9_.-]+(@[0-9]+)?\/[A-Za-z0-9_.-]+(@[0-9]+)?$/;
const NAME_PATTERN = /^[A-Za-z0-9_./-]+$/;

/**
 * The exact `sub` claims the deploy role trusts: a job that names an
 * environment gets `repo:<repo>:environment:<name>`, any other job on a branch
 * push gets `repo:<repo>:ref:refs/heads/<branch>`. Exact values, no wildcards,
 * so pull requests, forks and other branches can never assume the role.
 */
export function gitHubSubjects(scope: GitHubSubjectScope): string[] {
  if (!REPOSITORY_PATTERN.test(scope.repository)) {
    throw new Error(`GitHub repository must be owner/name (got "${scope.repository}")`);
  }
  for (const name of [...scope.branches, ...scope.environments]) {
    if (!NAME_PATTERN.test(name)) {
      throw new Error(`"${name}" cannot be a branch or environment in a sub claim (no wildcards)`);
    }
  }
  if (scope.branches.length + scope.environments.length === 0) {
    throw new Error('the deploy role must trust at least one branch or environment');
  }
  return [
    ...scope.branches.map((branch) => `repo:${scope.repository}:ref:refs/heads/${branch}`),
    ...scope.environments.map(
      (environment) => `repo:${scope.repository}:environment:${environment}`,
    ),
  ];
}
