export { ProductionReadinessChecks } from './checks/production-readiness-checks';
export { NetworkStack } from './network/network-stack';
export { PlatformStack } from './stacks/platform-stack';
export { buildStage, type BuildStageOptions, type StageStacks } from './stacks/build-stage';
export { resolveImageTag, ImageTagError } from './settings/image-tag';
export { overridesFromContext } from './settings/context-settings';
export { clusterNameFor, secretPrefixFor, stackNameFor } from './settings/stage-names';
export {
  STAGE_NAMES,
  STAGE_SETTINGS,
  isStageName,
  settingsFor,
  type StageName,
  type StageSettings,
} from './settings/stage-settings';
