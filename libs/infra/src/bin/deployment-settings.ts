import { stageSettingsFromContext } from '../settings/context-settings';
import type { StageName } from '../settings/stage-settings';
import { AI_PROVIDERS_CONTEXT_KEY, aiProvidersFromContext } from '../secrets/ai-providers';
import { ecrImageOf } from '../services/registry-image';
import { documentsReplicaFor } from '../storage/documents-replica';
import { contextValue } from './deployment-context';

/**
 * Reads a deployment's `-c` values with the very functions the CDK app builds
 * the stage with, so that a bad one (an origin with a trailing slash, an
 * unknown provider, replication on a stage without a peer, a domain given as a
 * URL, a certificate ARN that is none or is in another region than the stage,
 * an alarm e-mail that is no address) is reported by the
 * preflight in one line before the CDK CLI starts, not as the app's stack
 * trace inside the CLI's output. Throws the SettingsError those functions
 * throw; the app checks the same values again, with cdk.json's context too.
 */
export function checkDeploymentSettings(stage: StageName, cdkArguments: readonly string[]): void {
  const read = (key: string): string | undefined => contextValue(cdkArguments, key);
  const settings = stageSettingsFromContext(stage, read);
  aiProvidersFromContext(read(AI_PROVIDERS_CONTEXT_KEY));
  documentsReplicaFor(settings);
  if (settings.aimlUpstreamImage) ecrImageOf(settings.aimlUpstreamImage, 'aimlUpstreamImage');
}
