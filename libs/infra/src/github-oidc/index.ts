export {
  diffEnvironmentFor,
  GitHubDeployAccess,
  type GitHubDeployAccessProps,
} from './github-deploy-access';
export {
  deployRoleOutputId,
  diffRoleOutputId,
  GitHubOidcStack,
  type GitHubOidcStackProps,
} from './github-oidc-stack';
export {
  cdkBootstrapRoleArns,
  imagePublishStatements,
  stageDeployStatements,
  stageDiffStatements,
  type DeployRolePolicy,
  type StageDeployPolicyOptions,
  type WildcardReason,
} from './deploy-role-policy';
export {
  GITHUB_OIDC_AUDIENCE,
  GITHUB_OIDC_ISSUER,
  gitHubSubjects,
  type GitHubSubjectScope,
} from './github-subjects';
