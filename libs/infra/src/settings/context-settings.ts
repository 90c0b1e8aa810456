import { backendFields, envVarDocs } from '@docuthinker/config';
import { SettingsError } from './settings-error';
import {
  settingsFor,
  type HttpsSettings,
  type StageName,
  type StageSettings,
} from './stage-settings';

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

/** One DNS label: letters, digits and inner hyphens, up to 63 characters. */
const DNS_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
/**
 * A fully qualified hostname as ACM certificates, Route 53 records and the
 * smoke step's https://<domain> take it: two labels or more, the last one
 * starting with a letter (not an IP address), no trailing dot.
 */
const HOSTNAME = new RegExp(`^(?:${DNS_LABEL}\\.)+[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`);

/**
 * An ACM certificate's ARN: partition (aws, aws-cn, aws-us-gov, …), region,
 * account and certificate id.
 */
const CERTIFICATE_ARN =
  /^arn:aws[a-z-]*:acm:([a-z]{2}(?:-[a-z]+)+-\d+):(\d{12}):certificate\/[A-Za-z0-9-]+$/;

/**
 * One e-mail address, as the alarm topic subscribes it (the raw template's
 * AlarmEmail too): `local@domain`, with the characters an address's local
 * part may hold unquoted.
 */
export const EMAIL_ADDRESS = new RegExp(
  `^[A-Za-z0-9.!#$%&'*+/=?^_\`{|}~-]+@(?:${DNS_LABEL}\\.)+[A-Za-z]{2,63}$`,
);

/**
 * The domain users reach the stage's load balancer by, as a bare hostname:
 * what the certificate names, the DNS record points and the smoke step
 * probes (`https://<domain>/health`). A URL, a port or a trailing dot or
 * slash would make each of those a different name.
 */
export function domainNameFromContext(read: ContextReader): string | undefined {
  const domainName = text(read, 'domainName');
  if (domainName !== undefined && (domainName.length > 253 || !HOSTNAME.test(domainName))) {
    throw new SettingsError(
      'domainName',
      `domainName must be a hostname such as api.example.com, without scheme, path, port or trailing dot or slash (got ${JSON.stringify(domainName)})`,
    );
  }
  return domainName;
}

/** The region of an ACM certificate ARN; a SettingsError when it is no such ARN. */
function certificateRegion(certificateArn: string): string {
  const region = CERTIFICATE_ARN.exec(certificateArn)?.[1];
  if (region === undefined) {
    throw new SettingsError(
      'certificateArn',
      `certificateArn must be an ACM certificate ARN, arn:aws:acm:<region>:<12-digit account>:certificate/<id> (got ${JSON.stringify(certificateArn)})`,
    );
  }
  return region;
}

function alarmEmailFromContext(read: ContextReader): string | undefined {
  const alarmEmail = text(read, 'alarmEmail');
  if (alarmEmail !== undefined && !EMAIL_ADDRESS.test(alarmEmail)) {
    throw new SettingsError(
      'alarmEmail',
      `alarmEmail must be one e-mail address such as oncall@example.com, which the alarm topic subscribes (got ${JSON.stringify(alarmEmail)})`,
    );
  }
  return alarmEmail;
}

/**
 * Per-deployment values that are not the repository's business (a domain, a
 * certificate, an on-call address, whether the peer's documents bucket exists
 * yet, the browser front end's origins) come in as CDK context, on top of the
 * committed stage settings.
 */
export function overridesFromContext(read: ContextReader): Partial<StageSettings> {
  const overrides: { -readonly [K in keyof StageSettings]?: StageSettings[K] } = {};
  const domainName = domainNameFromContext(read);
  const certificateArn = text(read, 'certificateArn');
  const hostedZoneId = text(read, 'hostedZoneId');
  const hostedZoneName = text(read, 'hostedZoneName');
  if (certificateArn && !domainName) {
    throw new SettingsError(
      'certificateArn',
      'certificateArn needs domainName: the certificate must name the domain users reach',
    );
  }
  if (certificateArn) certificateRegion(certificateArn);
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
  const alarmEmail = alarmEmailFromContext(read);
  if (alarmEmail) overrides.alarmEmail = alarmEmail;
  const aimlUpstreamImage = text(read, 'aimlUpstreamImage');
  if (aimlUpstreamImage) overrides.aimlUpstreamImage = aimlUpstreamImage;
  const replicateDocuments = flag(read, 'replicateDocuments');
  if (replicateDocuments !== undefined) overrides.replicateDocuments = replicateDocuments;
  const origins = corsOrigins(read, 'corsOrigins');
  if (origins) overrides.corsOrigins = origins;
  return overrides;
}

/**
 * A stage's settings with a deployment's context values applied, checked
 * against the stage they land in: the load balancer takes an ACM certificate
 * from its own region only (CloudFormation would fail the listener mid-deploy),
 * so DR in us-west-2 needs a certificate of its own, not prod's us-east-1 one.
 */
export function stageSettingsFromContext(stage: StageName, read: ContextReader): StageSettings {
  const settings = settingsFor(stage, overridesFromContext(read));
  const certificateArn = settings.https?.certificateArn;
  if (certificateArn !== undefined) {
    const region = certificateRegion(certificateArn);
    if (region !== settings.region) {
      throw new SettingsError(
        'certificateArn',
        `certificateArn is a certificate in ${region}, but ${stage}'s load balancer is in ${settings.region}: a load balancer takes an ACM certificate from its own region only (got ${JSON.stringify(certificateArn)})`,
      );
    }
  }
  return settings;
}
