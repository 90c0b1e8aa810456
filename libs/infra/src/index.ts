export { ProductionReadinessChecks } from './checks/production-readiness-checks';
export { NetworkStack } from './network/network-stack';
export { PlatformStack } from './stacks/platform-stack';
export {
  DEPLOYED_IMAGES_KEPT,
  deployedTagPrefix,
  STAGES_KEEPING_IMAGES,
} from './registry/image-repositories';
export { RegistryStack, REGISTRY_STACK_NAME } from './registry/registry-stack';
export { buildStage, type BuildStageOptions, type StageStacks } from './stacks/build-stage';
export { resolveImageTag, ImageTagError } from './settings/image-tag';
export { SettingsError } from './settings/settings-error';
// Not overridesFromContext: the certificate's region is checked against the stage's here only.
export { stageSettingsFromContext } from './settings/context-settings';
export { DEPLOYMENT_CONTEXT_KEYS } from './bin/deployment-context';
export { clusterNameFor, secretPrefixFor, stackNameFor } from './settings/stage-names';
export {
  STAGE_NAMES,
  STAGE_SETTINGS,
  isStageName,
  settingsFor,
  type StageName,
  type StageSettings,
} from './settings/stage-settings';
export { containerEnvironment } from './services/container-environment';
export {
  AIML_UPSTREAM,
  BACKEND,
  CHROMA,
  CLUSTER_NAME,
  GATEWAY,
  HEALTH_PATHS,
  STOP_TIMEOUT_SECONDS,
} from './settings/platform-constants';
export { FargateServiceTemplateStack } from './template/fargate-service-template-stack';
export { RAW_TEMPLATE_PATH, renderRawTemplate } from './template/render-raw-template';
export { GitHubDeployAccess, GitHubOidcStack } from './github-oidc';
