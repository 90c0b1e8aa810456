import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { FEATURE_FLAGS } from '../settings/feature-flags';
import { stageSettingsFromContext } from '../settings/context-settings';
import { resolveImageTag } from '../settings/image-tag';
import { SettingsError } from '../settings/settings-error';
import { isStageName, STAGE_NAMES, STAGE_SETTINGS } from '../settings/stage-settings';
import { buildStage, stageSynthesizer } from '../stacks/build-stage';
import { GitHubOidcStack } from '../github-oidc';

/**
 * CDK entry point: one stage per run (`-c stage=prod`), chosen by the Nx
 * configuration. cdk-nag runs as a validation plugin, so an unacknowledged
 * finding fails synth, diff and deploy alike.
 */
const app = new App({ context: { ...FEATURE_FLAGS } });
const stage = app.node.tryGetContext('stage');
if (!isStageName(stage)) {
  throw new Error(
    `Context "stage" must be one of ${STAGE_NAMES.join(', ')} (got ${JSON.stringify(stage)})`,
  );
}

try {
  const imageTag = resolveImageTag({
    stage,
    fromContext: app.node.tryGetContext('imageTag'),
    fromEnvironment: process.env.IMAGE_TAG,
    synthOnly:
      app.node.tryGetContext('synthOnly') === 'true' ||
      app.node.tryGetContext('synthOnly') === true,
  });
  buildStage(app, {
    settings: stageSettingsFromContext(stage, (key) => app.node.tryGetContext(key)),
    imageTag,
    account: process.env.CDK_DEFAULT_ACCOUNT,
  });
} catch (error) {
  // The preflight (cdk-stage.ts) reports these before the CLI starts; this
  // covers `cdk` run by hand and values from cdk.json. The message names the
  // setting and the bad entry, which a stack trace would only bury.
  if (!(error instanceof SettingsError)) throw error;
  console.error(`infra (${stage}): ${error.message}`);
  process.exit(1);
}
// GitHub deploy access is account-wide IAM: added only when asked for
// (`-c githubRepository=owner/name`), deployed once per account by an
// administrator, through prod's bootstrap (us-east-1, prod's qualifier).
const githubRepository = app.node.tryGetContext('githubRepository');
if (typeof githubRepository === 'string' && githubRepository !== '') {
  const existingProviderArn = app.node.tryGetContext('githubOidcProviderArn');
  new GitHubOidcStack(app, 'DocuThinker-GitHubOidc', {
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: STAGE_SETTINGS.prod.region },
    synthesizer: stageSynthesizer(STAGE_SETTINGS.prod),
    repository: githubRepository,
    existingProviderArn: typeof existingProviderArn === 'string' ? existingProviderArn : undefined,
  });
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
