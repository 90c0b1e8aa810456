import type { HttpsSettings } from '../../src/settings/stage-settings';
import { synthStage, type SynthesizedStage } from './synth-stage';

export const HTTPS = {
  domainName: 'api.docuthinker.example',
  certificateArn:
    'arn:aws:acm:us-east-1:111111111111:certificate/0f0e0d0c-0000-4000-8000-000000000000',
  hostedZone: { zoneName: 'docuthinker.example', hostedZoneId: 'Z0123456789EXAMPLE' },
} satisfies HttpsSettings;
export const ALARM_EMAIL = 'oncall@docuthinker.example';
/** A browser front end on two origins other than the API's. */
export const CORS_ORIGINS = [
  'https://app.docuthinker.example',
  'https://admin.docuthinker.example',
];
export const UPSTREAM_IMAGE =
  '111111111111.dkr.ecr.us-east-1.amazonaws.com/docuthinker-fastapi:3f2c1ab';

/** One synthesized app per stage, built on first use and shared by every case in a spec file. */
export interface StageFixtures {
  /**
   * HTTPS with a certificate, a hosted zone (PRIMARY failover record), an
   * on-call e-mail and a browser front end on other origins (CORS).
   */
  readonly prod: () => SynthesizedStage;
  /** Plain HTTP, with the FastAPI sidecar. */
  readonly dev: () => SynthesizedStage;
  /** The committed settings as they are. */
  readonly staging: () => SynthesizedStage;
  /** HTTPS through a DNS-validated certificate (SECONDARY failover record). */
  readonly dr: () => SynthesizedStage;
}

function once(build: () => SynthesizedStage): () => SynthesizedStage {
  let built: SynthesizedStage | undefined;
  return () => (built ??= build());
}

export function stageFixtures(): StageFixtures {
  return {
    prod: once(() =>
      synthStage('prod', { https: HTTPS, alarmEmail: ALARM_EMAIL, corsOrigins: CORS_ORIGINS }),
    ),
    dev: once(() => synthStage('dev', { aimlUpstreamImage: UPSTREAM_IMAGE })),
    staging: once(() => synthStage('staging')),
    dr: once(() => synthStage('dr', { https: { ...HTTPS, certificateArn: undefined } })),
  };
}
