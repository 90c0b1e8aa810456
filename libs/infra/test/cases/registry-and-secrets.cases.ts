import { PLATFORM_SECRETS } from '@docuthinker/config';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { taskDefinitions, container, type SynthesizedStage, pick } from '../support/synth-stage';
import type { StageFixtures } from '../support/stage-fixtures';
import { deployedTagPrefix, STAGES_KEEPING_IMAGES } from '../../src/registry/image-repositories';

function registryOf(stage: SynthesizedStage): Template {
  if (!stage.registry) throw new Error('this stage has no Registry stack');
  return stage.registry;
}

export function registryAndSecretCases(stages: StageFixtures): void {
  describe('ECR repositories', () => {
    let prod: SynthesizedStage;
    let dev: SynthesizedStage;
    beforeAll(() => {
      prod = stages.prod();
      dev = stages.dev();
    });

    it.each(['docuthinker-backend', 'docuthinker-ai-ml'])(
      'creates %s in the Registry stack of prod: scan on push, AES256, immutable tags, retained',
      (repositoryName) => {
        registryOf(prod).hasResource('AWS::ECR::Repository', {
          DeletionPolicy: 'Retain',
          Properties: Match.objectLike({
            RepositoryName: repositoryName,
            ImageScanningConfiguration: { ScanOnPush: true },
            ImageTagMutability: 'IMMUTABLE',
            EncryptionConfiguration: { EncryptionType: 'AES256' },
          }),
        });
      },
    );

    it('keeps every image prod was verified on (5, under a ceiling of 10), then the last 10 of the rest', () => {
      const repositories = registryOf(prod).findResources('AWS::ECR::Repository');
      expect(Object.keys(repositories)).toHaveLength(2);
      for (const repository of Object.values(repositories)) {
        const { rules } = JSON.parse(repository.Properties.LifecyclePolicy.LifecyclePolicyText) as {
          rules: { rulePriority: number; selection: Record<string, unknown> }[];
        };
        const ordered = [...rules].sort((a, b) => a.rulePriority - b.rulePriority);
        // Twice what the tagging step keeps: an untagging that failed leaves room.
        expect(ordered.map((rule) => rule.selection)).toEqual([
          {
            tagStatus: 'tagged',
            tagPrefixList: ['deployed-'],
            countType: 'imageCountMoreThan',
            countNumber: 10,
          },
          { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 10 },
        ]);
      }
      // Prod alone tags: dev and staging run one of the last images pushed.
      expect(STAGES_KEEPING_IMAGES).toEqual(['prod']);
      expect(deployedTagPrefix('prod')).toBe('deployed-prod-');
    });

    it('replicates both repositories to the DR region', () => {
      registryOf(prod).hasResourceProperties('AWS::ECR::ReplicationConfiguration', {
        ReplicationConfiguration: {
          Rules: [
            {
              Destinations: [{ Region: 'us-west-2', RegistryId: { Ref: 'AWS::AccountId' } }],
              RepositoryFilters: [
                { Filter: 'docuthinker-backend', FilterType: 'PREFIX_MATCH' },
                { Filter: 'docuthinker-ai-ml', FilterType: 'PREFIX_MATCH' },
              ],
            },
          ],
        },
      });
    });

    it("keeps them out of every Platform stack, prod's too, which only deploys after them", () => {
      // A fresh account: the repositories deploy alone (nx run infra:deploy-registry), images
      // are pushed, then the Platform stack can start services (see RegistryStack).
      prod.platform.resourceCountIs('AWS::ECR::Repository', 0);
      prod.platform.resourceCountIs('AWS::ECR::ReplicationConfiguration', 0);
      const { platform, registry } = prod.stacks;
      expect(registry?.stackName).toBe('DocuThinker-Registry');
      expect(registry?.terminationProtection).toBe(true);
      expect(platform.dependencies).toContain(registry);
      const image = JSON.stringify(
        container(pick(taskDefinitions(prod.platform), 'backend'), 'backend').Image,
      );
      expect(image).toContain('docuthinker-backend');
      expect(image).not.toMatch(/Ref.*Repository/);
    });

    it('imports the repositories by name in other stages instead of creating them', () => {
      expect(dev.stacks.registry).toBeUndefined();
      dev.platform.resourceCountIs('AWS::ECR::Repository', 0);
      dev.platform.resourceCountIs('AWS::ECR::ReplicationConfiguration', 0);
      const image = JSON.stringify(
        container(pick(taskDefinitions(dev.platform), 'backend'), 'backend').Image,
      );
      expect(image).toContain('docuthinker-backend');
    });
  });

  describe('secrets', () => {
    let prod: SynthesizedStage;
    let staging: SynthesizedStage;
    let dr: SynthesizedStage;
    beforeAll(() => {
      prod = stages.prod();
      staging = stages.staging();
      dr = stages.dr();
    });

    const generatable = PLATFORM_SECRETS.filter((secret) => secret.generatable).map(
      (secret) => secret.name,
    );

    it('generates only the values the platform can make (JWT key, service token), replicated to DR', () => {
      const secrets = Object.values(prod.platform.findResources('AWS::SecretsManager::Secret'));
      expect(secrets.map((secret) => secret.Properties.Name).sort()).toEqual(
        generatable.map((name) => `docuthinker/${name}`).sort(),
      );
      for (const secret of secrets) {
        expect(secret.Properties.GenerateSecretString).toMatchObject({
          PasswordLength: 64,
          ExcludePunctuation: true,
        });
        expect(secret.Properties.ReplicaRegions).toEqual([{ Region: 'us-west-2' }]);
        expect(secret.Properties.SecretString).toBeUndefined();
        expect(secret.DeletionPolicy).toBe('Retain');
      }
    });

    it('references required third-party secrets by name under docuthinker/', () => {
      const json = JSON.stringify(prod.platform.toJSON());
      for (const secret of PLATFORM_SECRETS.filter(
        (entry) => !entry.generatable && entry.required,
      )) {
        expect(json).toContain(`:secret:docuthinker/${secret.name}`);
      }
    });

    it('warns at synth when the gateway has neither a provider key nor a FastAPI upstream', () => {
      expect(
        Annotations.fromStack(staging.stacks.platform).findWarning(
          '*',
          Match.stringLikeRegexp('gateway gets no LLM provider'),
        ),
      ).toHaveLength(1);
    });

    it('gives the gateway no optional provider key unless aiProviders names it', () => {
      const optional = PLATFORM_SECRETS.filter((entry) => !entry.required);
      expect(optional.map((entry) => entry.name).sort()).toEqual(['anthropic', 'google', 'openai']);
      for (const stage of [prod, staging, dr]) {
        const gateway = container(
          pick(taskDefinitions(stage.platform), 'aiml-gateway'),
          'aiml-gateway',
        );
        const names = (gateway.Secrets ?? []).map((secret) => secret.Name);
        for (const entry of optional) expect(names).not.toContain(entry.variable);
        // The required ones are still there.
        expect(names).toEqual(
          expect.arrayContaining([
            'DOCUTHINKER_NEO4J_URI',
            'DOCUTHINKER_CHROMA_URL',
            'DOCUTHINKER_JWT_SECRET',
          ]),
        );
        const json = JSON.stringify(stage.platform.toJSON());
        for (const entry of optional)
          expect(json).not.toMatch(new RegExp(`:secret:docuthinker/(staging/)?${entry.name}`));
      }
    });

    it('keeps staging secrets under docuthinker/staging/', () => {
      const names = Object.values(
        staging.platform.findResources('AWS::SecretsManager::Secret'),
      ).map((secret) => secret.Properties.Name);
      expect(names.sort()).toEqual(generatable.map((name) => `docuthinker/staging/${name}`).sort());
      expect(JSON.stringify(staging.platform.toJSON())).toContain(
        ':secret:docuthinker/staging/mongodb',
      );
    });

    it('reads prod replicas in DR instead of generating new values', () => {
      dr.platform.resourceCountIs('AWS::SecretsManager::Secret', 0);
      const json = JSON.stringify(dr.platform.toJSON());
      for (const name of generatable) expect(json).toContain(`:secret:docuthinker/${name}`);
    });
  });
}
