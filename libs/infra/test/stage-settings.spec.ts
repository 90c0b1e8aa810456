import { ImageTagError, resolveImageTag } from '../src/settings/image-tag';
import { overridesFromContext } from '../src/settings/context-settings';
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

  it('refuses latest in prod, but not in dev', () => {
    expect(() =>
      resolveImageTag({ stage: 'prod', fromEnvironment: 'latest', synthOnly: false }),
    ).toThrow(/latest.*refused for prod/);
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
