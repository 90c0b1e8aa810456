import type { HttpsSettings, StageSettings } from './stage-settings';

/** Reads one context value (`-c key=value` or cdk.json) as a non-empty string. */
export type ContextReader = (key: string) => unknown;

function text(read: ContextReader, key: string): string | undefined {
  const value = read(key);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * A switch: `-c key=true` (a string) or a boolean in cdk.json; undefined when
 * unset or blank. Anything else is refused rather than read as off, so a typo
 * does not silently leave the feature out of a deploy.
 */
function flag(read: ContextReader, key: string): boolean | undefined {
  const value = read(key);
  if (typeof value === 'boolean' || value === undefined) return value;
  const given = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  if (given === '') return undefined;
  if (given === 'true' || given === 'false') return given === 'true';
  throw new Error(`${key} must be true or false (got ${JSON.stringify(value)})`);
}

/**
 * Per-deployment values that are not the repository's business (a domain, a
 * certificate, an on-call address, whether the peer's documents bucket exists
 * yet) come in as CDK context, on top of the committed stage settings.
 */
export function overridesFromContext(read: ContextReader): Partial<StageSettings> {
  const overrides: { -readonly [K in keyof StageSettings]?: StageSettings[K] } = {};
  const domainName = text(read, 'domainName');
  const certificateArn = text(read, 'certificateArn');
  const hostedZoneId = text(read, 'hostedZoneId');
  const hostedZoneName = text(read, 'hostedZoneName');
  if (certificateArn && !domainName) {
    throw new Error(
      'certificateArn needs domainName: the certificate must name the domain users reach',
    );
  }
  if (domainName) {
    const https: HttpsSettings = {
      domainName,
      certificateArn,
      hostedZone:
        hostedZoneId && hostedZoneName ? { hostedZoneId, zoneName: hostedZoneName } : undefined,
    };
    if (!https.certificateArn && !https.hostedZone) {
      throw new Error(
        'domainName needs certificateArn, or hostedZoneId and hostedZoneName for DNS validation',
      );
    }
    overrides.https = https;
  }
  const alarmEmail = text(read, 'alarmEmail');
  if (alarmEmail) overrides.alarmEmail = alarmEmail;
  const aimlUpstreamImage = text(read, 'aimlUpstreamImage');
  if (aimlUpstreamImage) overrides.aimlUpstreamImage = aimlUpstreamImage;
  const replicateDocuments = flag(read, 'replicateDocuments');
  if (replicateDocuments !== undefined) overrides.replicateDocuments = replicateDocuments;
  return overrides;
}
