import {
  deployedDomainName,
  deploymentContextArgs,
  deploymentVariableFor,
  notifiesOnAlarm,
  servesHttps,
} from '../src/bin/deployment-context';
import { settingsFor } from '../src/settings/stage-settings';

describe('deployment values from the pipeline', () => {
  it("passes a stage's own variables over the plain ones as CDK context", () => {
    expect(
      deploymentContextArgs('prod', {
        DOCUTHINKER_PROD_DOMAIN_NAME: 'docuthinker.example.com',
        DOCUTHINKER_DOMAIN_NAME: 'staging.example.com',
        DOCUTHINKER_CERTIFICATE_ARN: ' arn:aws:acm:us-east-1:123456789012:certificate/abc ',
        DOCUTHINKER_HOSTED_ZONE_ID: '',
        DOCUTHINKER_PROD_PROVIDER_KEYS: 'openai,google',
      }),
    ).toEqual([
      '-c',
      'domainName=docuthinker.example.com',
      '-c',
      'certificateArn=arn:aws:acm:us-east-1:123456789012:certificate/abc',
      '-c',
      'aiProviders=openai,google',
    ]);
    expect(deploymentContextArgs('dev', {})).toEqual([]);
  });

  // A Jenkins global property left empty exists, blank: it must not hide the
  // plain variable (a deploy would silently drop the origins or the domain).
  it("falls back to the plain variable when the stage's own is blank", () => {
    const environment = {
      DOCUTHINKER_PROD_CORS_ORIGINS: '',
      DOCUTHINKER_CORS_ORIGINS: 'https://app.example.com',
      DOCUTHINKER_PROD_DOMAIN_NAME: ' \t ',
      DOCUTHINKER_DOMAIN_NAME: 'docuthinker.example.com',
      DOCUTHINKER_PROD_ALARM_EMAIL: ' ',
    };
    expect(deploymentContextArgs('prod', environment)).toEqual([
      '-c',
      'domainName=docuthinker.example.com',
      '-c',
      'corsOrigins=https://app.example.com',
    ]);
    expect(deploymentVariableFor('prod', environment, 'corsOrigins')).toBe(
      'DOCUTHINKER_CORS_ORIGINS',
    );
    expect(deploymentVariableFor('prod', environment, 'alarmEmail')).toBeUndefined();
    expect(
      deploymentVariableFor('prod', { DOCUTHINKER_PROD_PROVIDER_KEYS: 'openai' }, 'aiProviders'),
    ).toBe('DOCUTHINKER_PROD_PROVIDER_KEYS');
  });

  it('passes the alarm e-mail and the FastAPI image, which only context can set', () => {
    expect(
      deploymentContextArgs('prod', {
        DOCUTHINKER_PROD_ALARM_EMAIL: ' oncall@docuthinker.example ',
        DOCUTHINKER_AIML_UPSTREAM_IMAGE:
          '123456789012.dkr.ecr.us-east-1.amazonaws.com/docuthinker-fastapi:3f2c1ab',
      }),
    ).toEqual([
      '-c',
      'alarmEmail=oncall@docuthinker.example',
      '-c',
      'aimlUpstreamImage=123456789012.dkr.ecr.us-east-1.amazonaws.com/docuthinker-fastapi:3f2c1ab',
    ]);
  });

  it("passes the documents replication switch, per stage, as the peer's bucket comes to exist", () => {
    const environment = { DOCUTHINKER_PROD_REPLICATE_DOCUMENTS: 'true' };
    expect(deploymentContextArgs('prod', environment)).toEqual(['-c', 'replicateDocuments=true']);
    expect(deploymentContextArgs('dr', environment)).toEqual([]);
    expect(deploymentContextArgs('dr', { DOCUTHINKER_REPLICATE_DOCUMENTS: 'true' })).toEqual([
      '-c',
      'replicateDocuments=true',
    ]);
  });

  it("passes the browser front end's origins, the stage's own over the plain ones", () => {
    expect(
      deploymentContextArgs('staging', {
        DOCUTHINKER_STAGING_CORS_ORIGINS: 'https://app.staging.example.com',
        DOCUTHINKER_CORS_ORIGINS: 'https://app.example.com',
      }),
    ).toEqual(['-c', 'corsOrigins=https://app.staging.example.com']);
    expect(
      deploymentContextArgs('prod', {
        DOCUTHINKER_CORS_ORIGINS: ' https://app.example.com,https://admin.example.com ',
      }),
    ).toEqual(['-c', 'corsOrigins=https://app.example.com,https://admin.example.com']);
  });

  it('sees an alarm e-mail in the stage settings or the arguments passed through', () => {
    const prod = settingsFor('prod');
    // Prod, and dr, which serves production traffic after a failover: an outage there must page someone.
    expect(prod.requiresAlarmEmail).toBe(true);
    expect(
      ['dev', 'staging', 'dr'].map((stage) => settingsFor(stage as 'dev').requiresAlarmEmail),
    ).toEqual([false, false, true]);
    expect(notifiesOnAlarm(prod, [])).toBe(false);
    expect(notifiesOnAlarm(prod, ['-c', 'alarmEmail= '])).toBe(false);
    expect(notifiesOnAlarm(prod, ['-c', 'alarmEmail=oncall@docuthinker.example'])).toBe(true);
    expect(
      notifiesOnAlarm(settingsFor('prod', { alarmEmail: 'oncall@docuthinker.example' }), []),
    ).toBe(true);
  });

  it('sees a domain in the stage settings, the environment or the arguments passed through', () => {
    const prod = settingsFor('prod');
    expect(prod.requiresHttps).toBe(true);
    // Staging is internet-facing and deployed on every push to main: HTTPS too. Dev is not.
    expect(settingsFor('staging').requiresHttps).toBe(true);
    expect(settingsFor('dev').requiresHttps).toBe(false);
    expect(servesHttps(prod, [])).toBe(false);
    expect(servesHttps(prod, ['-c', 'domainName=docuthinker.example.com'])).toBe(true);
    expect(servesHttps(prod, ['-c', 'domainName='])).toBe(false);
    expect(
      servesHttps(
        settingsFor('prod', {
          https: { domainName: 'docuthinker.example.com', certificateArn: 'arn:aws:acm:x' },
        }),
        [],
      ),
    ).toBe(true);
  });

  // What the smoke step probes (through src/bin/stage-domain.ts): it read the
  // variables itself, and probed https://  /health after a healthy deploy.
  it('gives the smoke step the domain deploy serves, read by the same rules', () => {
    expect(
      deployedDomainName('prod', {
        DOCUTHINKER_PROD_DOMAIN_NAME: '  ',
        DOCUTHINKER_DOMAIN_NAME: 'api.example.com',
      }),
    ).toBe('api.example.com');
    expect(deployedDomainName('prod', { DOCUTHINKER_PROD_DOMAIN_NAME: 'api.example.com ' })).toBe(
      'api.example.com',
    );
    expect(deployedDomainName('dev', { DOCUTHINKER_DOMAIN_NAME: '' })).toBeUndefined();
    expect(() =>
      deployedDomainName('prod', { DOCUTHINKER_DOMAIN_NAME: 'https://api.example.com/' }),
    ).toThrow(/^domainName must be a hostname/);
  });
});
