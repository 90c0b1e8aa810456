import type { HttpsSettings, StageSettings } from './stage-settings';

/** Reads one context value (`-c key=value` or cdk.json) as a non-empty string. */
export type ContextReader = (key: string) => unknown;

function text(read: ContextReader, key: string): string | undefined {
  const value = read(key);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * Per-deployment values that are not the repository's business (a domain, a
 * certificate, an on-call address) come in as CDK context, on top of the
 * committed stage settings.
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
  return overrides;
}
