export { GitHubDeployAccess, type GitHubDeployAccessProps } from './github-deploy-access';
export { GitHubOidcStack, type GitHubOidcStackProps } from './github-oidc-stack';
export {
  DEFAULT_CDK_QUALIFIER,
  deployRoleStatements,
  type DeployRolePolicy,
  type WildcardReason,
} from './deploy-role-policy';
export {
  GITHUB_OIDC_AUDIENCE,
  GITHUB_OIDC_ISSUER,
  gitHubSubjects,
  type GitHubSubjectScope,
} from './github-subjects';
