import { backendFields, envVarDocs } from '@docuthinker/config';
import { SettingsError } from './settings-error';
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
  throw new SettingsError(key, `${key} must be true or false (got ${JSON.stringify(value)})`);
}

const CORS_ORIGINS = backendFields.DOCUTHINKER_CORS_ORIGINS;

/**
 * Browser origins for both services' CORS, checked entry by entry with the
 * services' own DOCUTHINKER_CORS_ORIGINS rule: a value it would refuse at
 * start fails the synth here instead of a deployment whose tasks never start.
 * Undefined when no origin is given.
 */
function corsOrigins(read: ContextReader, key: string): readonly string[] | undefined {
  const value = read(key);
  if (value === undefined) return undefined;
  // A list in cdk.json, or the comma-separated string of `-c key=…`.
  const given = Array.isArray(value) ? value.join(',') : value;
  if (typeof given !== 'string') {
    throw new SettingsError(
      key,
      `${key} must be a comma-separated list of origins (got ${JSON.stringify(value)})`,
    );
  }
  const origins = given
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const origin of origins) {
    const problem = CORS_ORIGINS.safeParse(origin).error?.issues[0]?.message;
    if (problem) {
      const expected = envVarDocs.get(CORS_ORIGINS)?.expected ?? 'browser origins';
      throw new SettingsError(
        key,
        `${key} ${problem}: ${JSON.stringify(origin)}; expected ${expected}`,
      );
    }
  }
  return origins.length > 0 ? origins : undefined;
}

/**
 * Per-deployment values that are not the repository's business (a domain, a
 * certificate, an on-call address, whether the peer's documents bucket exists
 * yet, the browser front end's origins) come in as CDK context, on top of the
 * committed stage settings.
 */
export function overridesFromContext(read: ContextReader): Partial<StageSettings> {
  const overrides: { -readonly [K in keyof StageSettings]?: StageSettings[K] } = {};
  const domainName = text(read, 'domainName');
  const certificateArn = text(read, 'certificateArn');
  const hostedZoneId = text(read, 'hostedZoneId');
  const hostedZoneName = text(read, 'hostedZoneName');
  if (certificateArn && !domainName) {
    throw new SettingsError(
      'certificateArn',
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
      throw new SettingsError(
        'domainName',
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
  const origins = corsOrigins(read, 'corsOrigins');
  if (origins) overrides.corsOrigins = origins;
  return overrides;
}
