import {
  STAGE_NAMES,
  STAGE_SETTINGS,
  type StageName,
  type StageSettings,
} from '../settings/stage-settings';
import { SettingsError } from '../settings/settings-error';

/** The stage and region of the documents bucket that receives a stage's replicas. */
export interface DocumentsReplica {
  readonly stage: StageName;
  readonly region: string;
}

/**
 * Where a stage's documents bucket replicates to, or undefined while
 * `replicateDocuments` is off. The switch on a stage without a peer is
 * refused: there is no bucket to send the originals to, and a silent no-op
 * would let an operator believe they are protected.
 */
export function documentsReplicaFor(settings: StageSettings): DocumentsReplica | undefined {
  if (!settings.replicateDocuments) return undefined;
  const peer = settings.documentsPeer;
  if (!peer) {
    const paired = STAGE_NAMES.filter((stage) => STAGE_SETTINGS[stage].documentsPeer);
    throw new SettingsError(
      'replicateDocuments',
      `replicateDocuments is on for ${settings.stage}, but ${settings.stage} has no peer stage whose documents bucket ` +
        `could receive its replicas (only ${paired.join(' and ')} have one): remove -c replicateDocuments and ` +
        `DOCUTHINKER_${settings.stage.toUpperCase()}_REPLICATE_DOCUMENTS (or DOCUTHINKER_REPLICATE_DOCUMENTS) for this stage`,
    );
  }
  return { stage: peer, region: STAGE_SETTINGS[peer].region };
}
