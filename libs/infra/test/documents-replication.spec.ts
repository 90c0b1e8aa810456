import { Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { STAGE_SETTINGS, type StageName } from '../src/settings/stage-settings';
import { cfnLintVersion, runCfnLint } from './support/cfn-lint';
import {
  acknowledgements,
  synthStage,
  type CfnJson,
  type SynthesizedStage,
} from './support/synth-stage';

/**
 * The documents bucket's replication between prod and dr, which a deployment
 * turns on (`-c replicateDocuments=true`) once both buckets exist.
 */

/** An ARN built with Fn::Join as text, pseudo parameters as `<AWS::…>` (as cdk-nag prints them). */
function arnText(value: CfnJson): string {
  const parts: CfnJson[] = value['Fn::Join']?.[1] ?? [value];
  return parts.map((part) => (typeof part === 'string' ? part : `<${part.Ref}>`)).join('');
}

const REPLICATION_ROLE = {
  Properties: {
    AssumeRolePolicyDocument: {
      Statement: [Match.objectLike({ Principal: { Service: 's3.amazonaws.com' } })],
    },
  },
};

function replicationRoles(template: Template): Record<string, CfnJson> {
  return template.findResources('AWS::IAM::Role', REPLICATION_ROLE);
}

function documentsBucket(template: Template): CfnJson {
  const [bucket] = Object.values(
    template.findResources('AWS::S3::Bucket', {
      Properties: {
        BucketName: Match.objectLike({
          'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('^docuthinker-documents-')])],
        }),
      },
    }),
  );
  if (!bucket) throw new Error('no documents bucket in the template');
  return bucket.Properties;
}

const PAIRS: [StageName, StageName, string][] = [
  ['prod', 'dr', 'us-west-2'],
  ['dr', 'prod', 'us-east-1'],
];

describe.each(PAIRS)(
  'documents bucket of %s with replicateDocuments on',
  (stage, peer, peerRegion) => {
    let synthesized: SynthesizedStage;
    let bucket: CfnJson;
    beforeAll(() => {
      synthesized = synthStage(stage, { replicateDocuments: true });
      bucket = documentsBucket(synthesized.platform);
    });

    it(`replicates every object and delete marker to the ${peer} bucket, named in ${peerRegion}`, () => {
      const roleId = Object.keys(replicationRoles(synthesized.platform))[0];
      expect(bucket.ReplicationConfiguration).toEqual({
        Role: { 'Fn::GetAtt': [roleId, 'Arn'] },
        Rules: [
          {
            Id: `documents-to-${peer}`,
            Status: 'Enabled',
            Filter: { Prefix: '' },
            // A user's deletion reaches the replica; the lifecycle rule then erases both copies.
            DeleteMarkerReplication: { Status: 'Enabled' },
            // S3 Replication metrics, for the alarms below; no Replication Time Control.
            Destination: { Bucket: expect.anything(), Metrics: { Status: 'Enabled' } },
          },
        ],
      });
      expect(arnText(bucket.ReplicationConfiguration.Rules[0].Destination.Bucket)).toBe(
        `arn:aws:s3:::docuthinker-documents-${peer}-<AWS::AccountId>-${peerRegion}`,
      );
      // Replication needs versioning; the replicas are SSE-S3 like the originals (no KMS key).
      expect(bucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
        { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
      ]);
    });

    it('gives S3 a role of its own that reads this bucket and writes replicas to the peer only', () => {
      const roles = Object.entries(replicationRoles(synthesized.platform));
      expect(roles).toHaveLength(1);
      const [roleId, role] = roles[0] as [string, CfnJson];
      // S3 acting for this account's bucket only: no confused deputy.
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 's3.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            ArnLike: { 'aws:SourceArn': expect.anything() },
          },
        },
      ]);
      expect(
        JSON.stringify(role.Properties.AssumeRolePolicyDocument.Statement[0].Condition.ArnLike),
      ).toContain(`docuthinker-documents-${stage}-`);
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      const statements = (role.Properties.Policies as CfnJson[]).flatMap(
        (policy) => policy.PolicyDocument.Statement as CfnJson[],
      );
      const source = `arn:<AWS::Partition>:s3:::docuthinker-documents-${stage}-<AWS::AccountId>-<AWS::Region>`;
      const destination = `arn:<AWS::Partition>:s3:::docuthinker-documents-${peer}-<AWS::AccountId>-${peerRegion}`;
      expect(
        statements.map((statement) => ({
          effect: statement.Effect,
          actions: [statement.Action].flat(),
          resources: [statement.Resource].flat().map(arnText),
        })),
      ).toEqual([
        {
          effect: 'Allow',
          actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'],
          resources: [source],
        },
        {
          effect: 'Allow',
          actions: [
            's3:GetObjectVersionAcl',
            's3:GetObjectVersionForReplication',
            's3:GetObjectVersionTagging',
          ],
          resources: [`${source}/*`],
        },
        {
          effect: 'Allow',
          actions: ['s3:ReplicateDelete', 's3:ReplicateObject', 's3:ReplicateTags'],
          resources: [`${destination}/*`],
        },
      ]);
      // Nothing else is attached to it.
      const attached = Object.values(synthesized.platform.findResources('AWS::IAM::Policy')).filter(
        (policy) => JSON.stringify(policy.Properties.Roles).includes(`"${roleId}"`),
      );
      expect(attached).toEqual([]);
    });

    it('tells the alarm topic when objects fail to replicate or the replica falls an hour behind', () => {
      const alarms = Object.values(
        synthesized.platform.findResources('AWS::CloudWatch::Alarm', {
          Properties: { Namespace: 'AWS/S3' },
        }),
      ).map((alarm) => alarm.Properties);
      const [topic] = Object.keys(synthesized.platform.findResources('AWS::SNS::Topic'));
      expect(
        alarms.map((alarm) => ({
          metric: alarm.MetricName,
          statistic: alarm.Statistic,
          threshold: alarm.Threshold,
          comparison: alarm.ComparisonOperator,
          alarmActions: alarm.AlarmActions,
        })),
      ).toEqual([
        {
          metric: 'OperationsFailedReplication',
          statistic: 'Sum',
          threshold: 1,
          comparison: 'GreaterThanOrEqualToThreshold',
          alarmActions: [{ Ref: topic }],
        },
        {
          metric: 'ReplicationLatency',
          statistic: 'Maximum',
          threshold: 3600,
          comparison: 'GreaterThanThreshold',
          alarmActions: [{ Ref: topic }],
        },
      ]);
      const [bucketId] = Object.keys(
        synthesized.platform.findResources('AWS::S3::Bucket', {
          Properties: { ReplicationConfiguration: Match.anyValue() },
        }),
      );
      for (const alarm of alarms) {
        // The metrics S3 reports for this rule, from this bucket to the peer's.
        const dimensions = Object.fromEntries(
          (alarm.Dimensions as CfnJson[]).map((dimension) => [dimension.Name, dimension.Value]),
        );
        expect(dimensions.SourceBucket).toEqual({ Ref: bucketId });
        expect(dimensions.RuleId).toBe(`documents-to-${peer}`);
        expect(arnText(dimensions.DestinationBucket)).toBe(
          `docuthinker-documents-${peer}-<AWS::AccountId>-${peerRegion}`,
        );
      }
    });

    it('passes cdk-nag with only the two object wildcards acknowledged, on the replication role', () => {
      const violations = new AwsSolutionsChecks().validateScope(synthesized.app).violations;
      expect(violations.map((violation) => violation.ruleName)).toEqual([]);
      const onRole = acknowledgements(synthesized.app).filter((acknowledgement) =>
        acknowledgement.path.includes('/Documents/Replication/'),
      );
      expect(onRole.map((acknowledgement) => acknowledgement.id).sort()).toEqual(
        [
          `Annotation::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::docuthinker-documents-${peer}-<AWS::AccountId>-${peerRegion}/*]`,
          `Annotation::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::docuthinker-documents-${stage}-<AWS::AccountId>-<AWS::Region>/*]`,
        ].sort(),
      );
    });

    const cfnLint = cfnLintVersion();
    if (!cfnLint)
      console.warn(
        `SKIPPED (cfn-lint not on PATH): ${stage}'s replication templates were not linted`,
      );
    (cfnLint ? it : it.skip)(
      'passes cfn-lint (W3005 and W3010 accepted, as for every stage)',
      () => {
        const directory = synthesized.app.synth().directory;
        const templates = readdirSync(directory)
          .filter((file) => file.endsWith('.template.json'))
          .map((file) => join(directory, file));
        const unexpected = runCfnLint(templates).filter(
          (finding) => !['W3005', 'W3010'].includes(finding.rule),
        );
        expect(unexpected).toEqual([]);
      },
    );
  },
);

describe('documents bucket with replicateDocuments off (the committed settings)', () => {
  it.each(['prod', 'dr'] as const)(
    'leaves the %s bucket without replication until both buckets exist',
    (stage) => {
      expect(STAGE_SETTINGS[stage].replicateDocuments).toBe(false);
      const { platform } = synthStage(stage);
      expect(documentsBucket(platform).ReplicationConfiguration).toBeUndefined();
      expect(replicationRoles(platform)).toEqual({});
      expect(
        platform.findResources('AWS::CloudWatch::Alarm', { Properties: { Namespace: 'AWS/S3' } }),
      ).toEqual({});
    },
  );
});

describe('replicateDocuments on a stage without a peer', () => {
  it.each(['dev', 'staging'] as const)('fails the synth of %s with a clear error', (stage) => {
    expect(STAGE_SETTINGS[stage].documentsPeer).toBeUndefined();
    expect(() => synthStage(stage, { replicateDocuments: true })).toThrow(
      `replicateDocuments is on for ${stage}, but ${stage} has no peer stage whose documents bucket could receive its replicas (only prod and dr have one)`,
    );
  });
});
