import { ImageTagError, resolveImageTag } from '../src/settings/image-tag';
import { overridesFromContext, stageSettingsFromContext } from '../src/settings/context-settings';
import { SettingsError } from '../src/settings/settings-error';
import { clusterNameFor, secretPrefixFor } from '../src/settings/stage-names';
import { STAGE_NAMES, STAGE_SETTINGS, settingsFor } from '../src/settings/stage-settings';
import { SYNTH_ONLY_IMAGE_TAG } from '../src/settings/platform-constants';

describe('stage settings', () => {
  it('defines exactly dev, staging, prod and dr', () => {
    expect(Object.keys(STAGE_SETTINGS).sort()).toEqual([...STAGE_NAMES].sort());
  });

  it('puts dev, staging and prod in us-east-1 and dr in us-west-2, each over two AZs of its region', () => {
    expect(STAGE_SETTINGS.dev.region).toBe('us-east-1');
    expect(STAGE_SETTINGS.staging.region).toBe('us-east-1');
    expect(STAGE_SETTINGS.prod.region).toBe('us-east-1');
    expect(STAGE_SETTINGS.dr.region).toBe('us-west-2');
    for (const settings of Object.values(STAGE_SETTINGS)) {
      expect(settings.availabilityZones.every((zone) => zone.startsWith(settings.region))).toBe(
        true,
      );
    }
  });

  it('seeds every stage with 512 CPU / 1024 MiB tasks', () => {
    for (const settings of Object.values(STAGE_SETTINGS)) {
      expect(settings.taskSize).toEqual({ cpu: 512, memoryMiB: 1024 });
    }
  });

  it('gives prod a NAT gateway per AZ, 30-day logs, no ECS Exec, no Spot, and the 2-10 task range', () => {
    const prod = STAGE_SETTINGS.prod;
    expect(prod.natGateways).toBe(2);
    expect(prod.logRetentionDays).toBe(30);
    expect(prod.enableExecuteCommand).toBe(false);
    expect(prod.allowFargateSpot).toBe(false);
    expect(prod.backend).toEqual({ desiredCount: 2, maxCount: 10 });
    expect(prod.gateway).toEqual({ desiredCount: 2, maxCount: 10 });
  });

  it('allows ECS Exec and Spot only in dev and staging, with 7-day logs', () => {
    for (const stage of ['dev', 'staging'] as const) {
      expect(STAGE_SETTINGS[stage].enableExecuteCommand).toBe(true);
      expect(STAGE_SETTINGS[stage].allowFargateSpot).toBe(true);
      expect(STAGE_SETTINGS[stage].logRetentionDays).toBe(7);
    }
    expect(STAGE_SETTINGS.dr.enableExecuteCommand).toBe(false);
    expect(STAGE_SETTINGS.dr.allowFargateSpot).toBe(false);
  });

  it('lets exactly one stage own the image repositories and replicate them to the DR region', () => {
    const owners = Object.values(STAGE_SETTINGS).filter(
      (settings) => settings.ownsImageRepositories,
    );
    expect(owners.map((settings) => settings.stage)).toEqual(['prod']);
    expect(STAGE_SETTINGS.prod.replicateTo).toBe(STAGE_SETTINGS.dr.region);
  });

  it('pairs prod and dr for documents replication, off until a deployment turns it on', () => {
    expect(STAGE_SETTINGS.prod.documentsPeer).toBe('dr');
    expect(STAGE_SETTINGS.dr.documentsPeer).toBe('prod');
    for (const stage of STAGE_NAMES) expect(STAGE_SETTINGS[stage].replicateDocuments).toBe(false);
  });

  it('generates platform secrets everywhere but DR, which reads the replicas prod sends it', () => {
    expect(STAGE_SETTINGS.dr.generatesPlatformSecrets).toBe(false);
    for (const stage of ['dev', 'staging', 'prod'] as const) {
      expect(STAGE_SETTINGS[stage].generatesPlatformSecrets).toBe(true);
    }
  });

  it('applies overrides without changing the stage name', () => {
    const settings = settingsFor('dev', { natGateways: 2, stage: 'prod' });
    expect(settings.natGateways).toBe(2);
    expect(settings.stage).toBe('dev');
  });

  it('keeps the seed names for prod and DR and qualifies shared-account names elsewhere', () => {
    expect(clusterNameFor('prod')).toBe('docuthinker-cluster');
    expect(clusterNameFor('dr')).toBe('docuthinker-cluster');
    expect(clusterNameFor('dev')).toBe('docuthinker-cluster-dev');
    expect(secretPrefixFor('prod')).toBe('docuthinker/');
    expect(secretPrefixFor('staging')).toBe('docuthinker/staging/');
  });
});

describe('image tag', () => {
  it('takes the context value over IMAGE_TAG', () => {
    expect(
      resolveImageTag({
        stage: 'prod',
        fromContext: 'abc123',
        fromEnvironment: 'def456',
        synthOnly: false,
      }),
    ).toBe('abc123');
  });

  it('refuses latest in prod and dr, but not in dev', () => {
    expect(() =>
      resolveImageTag({ stage: 'prod', fromEnvironment: 'latest', synthOnly: false }),
    ).toThrow(/latest.*refused for prod/);
    // DR serves production's traffic after a failover (found in review: it took latest).
    expect(() =>
      resolveImageTag({ stage: 'dr', fromEnvironment: 'latest', synthOnly: false }),
    ).toThrow(/latest.*refused for dr/);
    expect(() =>
      resolveImageTag({ stage: 'prod', fromEnvironment: 'latest', synthOnly: true }),
    ).toThrow(ImageTagError);
    expect(resolveImageTag({ stage: 'dev', fromEnvironment: 'latest', synthOnly: false })).toBe(
      'latest',
    );
  });

  it('requires a tag to deploy and uses a placeholder only for synth', () => {
    expect(() => resolveImageTag({ stage: 'staging', synthOnly: false })).toThrow(
      /IMAGE_TAG is not set/,
    );
    expect(resolveImageTag({ stage: 'prod', synthOnly: true })).toBe(SYNTH_ONLY_IMAGE_TAG);
    expect(() =>
      resolveImageTag({ stage: 'prod', fromEnvironment: SYNTH_ONLY_IMAGE_TAG, synthOnly: false }),
    ).toThrow(/placeholder/);
  });

  it('rejects strings that are not image tags', () => {
    expect(() =>
      resolveImageTag({ stage: 'dev', fromEnvironment: 'feature/x', synthOnly: false }),
    ).toThrow(/not a valid image tag/);
  });
});

describe('context overrides', () => {
  const reader = (values: Record<string, string>) => (key: string) => values[key];

  it('is empty when nothing is given', () => {
    expect(overridesFromContext(reader({}))).toEqual({});
  });

  it('turns a domain and hosted zone into HTTPS settings', () => {
    const overrides = overridesFromContext(
      reader({
        domainName: 'api.example.com',
        hostedZoneId: 'Z123',
        hostedZoneName: 'example.com',
      }),
    );
    expect(overrides.https).toEqual({
      domainName: 'api.example.com',
      certificateArn: undefined,
      hostedZone: { hostedZoneId: 'Z123', zoneName: 'example.com' },
    });
  });

  it('refuses a domain with no way to get a certificate, and a certificate with no domain', () => {
    expect(() => overridesFromContext(reader({ domainName: 'api.example.com' }))).toThrow(
      /certificateArn/,
    );
    expect(() =>
      overridesFromContext(reader({ certificateArn: 'arn:aws:acm:us-east-1:1:certificate/x' })),
    ).toThrow(/needs domainName/);
  });

  // Found by an exploratory test: each of these synthesized, writing the
  // listener's CertificateArn "not-an-arn" and an SNS e-mail endpoint "oncall".
  const CERTIFICATE =
    'arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c-0000-4000-8000-000000000000';
  it.each([
    ['https://api.example.com/', 'a URL'],
    ['api.example.com/', 'a trailing slash'],
    ['api.example.com.', 'a trailing dot'],
    ['api.example.com:443', 'a port'],
    ['api.example.com/health', 'a path'],
    ['api', 'a single label'],
    ['*.example.com', 'a wildcard'],
    ['10.0.0.1', 'an IP address'],
    ['api..example.com', 'an empty label'],
    ['-api.example.com', 'a label starting with a hyphen'],
    ['api example.com', 'a space'],
  ])('refuses the domainName %s (%s), naming it', (domainName) => {
    const read = reader({ domainName, certificateArn: CERTIFICATE });
    expect(() => overridesFromContext(read)).toThrow(SettingsError);
    expect(() => overridesFromContext(read)).toThrow(
      `domainName must be a hostname such as api.example.com, without scheme, path, port or trailing dot or slash (got ${JSON.stringify(domainName)})`,
    );
  });

  it('takes a hostname of any depth, trimmed', () => {
    for (const domainName of ['example.com', ' api.docuthinker.example ', 'a-b.c1.example.co.uk']) {
      expect(
        overridesFromContext(reader({ domainName, certificateArn: CERTIFICATE })).https?.domainName,
      ).toBe(domainName.trim());
    }
  });

  it.each([
    'not-an-arn',
    'arn:aws:acm:us-east-1:12345:certificate/abc',
    'arn:aws:iam::123456789012:server-certificate/abc',
    'arn:aws:acm:us-east-1:123456789012:certificate/',
    'arn:aws:acm::123456789012:certificate/abc',
    'certificate/abc',
  ])('refuses the certificateArn %s, naming it', (certificateArn) => {
    const read = reader({ domainName: 'api.example.com', certificateArn });
    expect(() => overridesFromContext(read)).toThrow(
      `certificateArn must be an ACM certificate ARN, arn:aws:acm:<region>:<12-digit account>:certificate/<id> (got ${JSON.stringify(certificateArn)})`,
    );
  });

  it('takes ACM certificate ARNs of every partition', () => {
    for (const certificateArn of [
      CERTIFICATE,
      'arn:aws-us-gov:acm:us-gov-west-1:123456789012:certificate/abc-123',
      'arn:aws-cn:acm:cn-north-1:123456789012:certificate/abc',
    ]) {
      expect(
        overridesFromContext(reader({ domainName: 'api.example.com', certificateArn })).https
          ?.certificateArn,
      ).toBe(certificateArn);
    }
  });

  it.each([
    'oncall',
    'oncall@',
    '@example.com',
    'oncall@example',
    'on call@example.com',
    'a@b.com,c@d.com',
    'mailto:oncall@example.com',
  ])('refuses the alarmEmail %s, naming it', (alarmEmail) => {
    expect(() => overridesFromContext(reader({ alarmEmail }))).toThrow(
      `alarmEmail must be one e-mail address such as oncall@example.com, which the alarm topic subscribes (got ${JSON.stringify(alarmEmail)})`,
    );
  });

  it('takes an e-mail address, trimmed', () => {
    expect(
      overridesFromContext(reader({ alarmEmail: ' on-call+prod@docuthinker.example ' })),
    ).toEqual({
      alarmEmail: 'on-call+prod@docuthinker.example',
    });
  });

  it("refuses a certificate from another region than the stage's load balancer", () => {
    const read = reader({ domainName: 'dr.example.com', certificateArn: CERTIFICATE });
    expect(() => stageSettingsFromContext('dr', read)).toThrow(
      `certificateArn is a certificate in us-east-1, but dr's load balancer is in us-west-2: a load balancer takes an ACM certificate from its own region only (got "${CERTIFICATE}")`,
    );
    expect(stageSettingsFromContext('prod', read).https?.certificateArn).toBe(CERTIFICATE);
    const drCertificate = CERTIFICATE.replace('us-east-1', 'us-west-2');
    expect(
      stageSettingsFromContext(
        'dr',
        reader({ domainName: 'dr.example.com', certificateArn: drCertificate }),
      ),
    ).toMatchObject({ region: 'us-west-2', https: { certificateArn: drCertificate } });
    // A DNS-validated certificate is requested in the stage's own region.
    expect(
      stageSettingsFromContext(
        'dr',
        reader({ domainName: 'dr.example.com', hostedZoneId: 'Z1', hostedZoneName: 'example.com' }),
      ).https?.certificateArn,
    ).toBeUndefined();
  });

  it('reads replicateDocuments as a switch and refuses anything but true or false', () => {
    expect(overridesFromContext(reader({ replicateDocuments: 'true' }))).toEqual({
      replicateDocuments: true,
    });
    expect(overridesFromContext(reader({ replicateDocuments: ' FALSE ' }))).toEqual({
      replicateDocuments: false,
    });
    expect(
      overridesFromContext((key) => (key === 'replicateDocuments' ? true : undefined)),
    ).toMatchObject({ replicateDocuments: true });
    expect(overridesFromContext(reader({ replicateDocuments: '' }))).toEqual({});
    expect(() => overridesFromContext(reader({ replicateDocuments: 'yes' }))).toThrow(
      'replicateDocuments must be true or false (got "yes")',
    );
  });

  it('reads corsOrigins as a comma-separated list of origins, as the backend does', () => {
    expect(
      overridesFromContext(
        reader({ corsOrigins: ' https://app.example.com, https://admin.example.com:8443 ,' }),
      ),
    ).toEqual({ corsOrigins: ['https://app.example.com', 'https://admin.example.com:8443'] });
    // A list in cdk.json.
    expect(
      overridesFromContext((key) =>
        key === 'corsOrigins' ? ['https://app.example.com'] : undefined,
      ),
    ).toEqual({ corsOrigins: ['https://app.example.com'] });
    // The backend takes http origins too (a local front end against dev).
    expect(overridesFromContext(reader({ corsOrigins: 'http://localhost:5173' }))).toEqual({
      corsOrigins: ['http://localhost:5173'],
    });
    expect(overridesFromContext(reader({ corsOrigins: ' , ' }))).toEqual({});
  });

  it('refuses a corsOrigins value that is no list', () => {
    expect(() => overridesFromContext((key) => (key === 'corsOrigins' ? true : undefined))).toThrow(
      'corsOrigins must be a comma-separated list of origins (got true)',
    );
  });

  it.each([
    ['https://app.example.com/', /corsOrigins has an entry with a path or a trailing slash/],
    ['https://app.example.com/app', /with a path/],
    ['app.example.com', /not an origin URL/],
    ['ftp://app.example.com', /not an http:\/\/ or https:\/\/ origin/],
    ['https://App.Example.com', /not written as browsers send it/],
    ['https://app.example.com:443', /not written as browsers send it/],
    ['https://*.example.com', /wildcard/],
  ])('refuses the corsOrigins entry %s, naming it', (entry, problem) => {
    const read = reader({ corsOrigins: `https://ok.example.com,${entry}` });
    expect(() => overridesFromContext(read)).toThrow(problem);
    expect(() => overridesFromContext(read)).toThrow(`: "${entry}"; expected a comma-separated`);
  });
});
