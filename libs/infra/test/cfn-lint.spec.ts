import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { FEATURE_FLAGS } from '../src/settings/feature-flags';
import { settingsFor, STAGE_NAMES } from '../src/settings/stage-settings';
import { buildStage } from '../src/stacks/build-stage';
import { RAW_TEMPLATE_PATH } from '../src/template/render-raw-template';
import { cfnLintVersion, runCfnLint, type CfnLintFinding } from './support/cfn-lint';
import { TEST_CONTEXT, TEST_IMAGE_TAG } from './support/synth-stage';

/**
 * Warnings that follow from deliberate choices, each with its reason; any other
 * warning or any error fails the build.
 */
const ACCEPTED_WARNINGS: Record<string, string> = {
  W3005: 'CDK emits DependsOn next to a GetAtt for its custom-resource provider role',
  W3010: 'the network plan pins subnets to named AZs (10.0.1.0/24 in a, 10.0.2.0/24 in b, ...)',
};

const version = cfnLintVersion();
if (!version) {
  console.warn('SKIPPED (cfn-lint not on PATH): synthesized and raw templates were not linted');
}
const describeWithCfnLint = version ? describe : describe.skip;

describeWithCfnLint(`cfn-lint (${version ?? 'absent'})`, () => {
  const rawTemplate = join(__dirname, '..', RAW_TEMPLATE_PATH);
  const templatesByStage = new Map<string, string[]>();
  let findings: CfnLintFinding[] = [];
  let outdir: string;

  // One cfn-lint run over every template: its start-up dominates the cost.
  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'infra-cfn-lint-'));
    for (const stage of STAGE_NAMES) {
      const stageDir = join(outdir, stage);
      const app = new App({ outdir: stageDir, context: { ...FEATURE_FLAGS, ...TEST_CONTEXT } });
      buildStage(app, { settings: settingsFor(stage), imageTag: TEST_IMAGE_TAG });
      app.synth();
      templatesByStage.set(
        stage,
        readdirSync(stageDir)
          .filter((file) => file.endsWith('.template.json'))
          .map((file) => join(stageDir, file)),
      );
    }
    findings = runCfnLint([...[...templatesByStage.values()].flat(), rawTemplate]);
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it.each(STAGE_NAMES)('finds nothing unexpected in the %s templates', (stage) => {
    const templates = templatesByStage.get(stage) ?? [];
    expect(templates).toHaveLength(2);
    // The pinned-AZ warning is known to occur: proves findings are matched to these files.
    expect(
      findings.some((finding) => templates.includes(finding.file) && finding.rule === 'W3010'),
    ).toBe(true);
    const unexpected = findings.filter(
      (finding) => templates.includes(finding.file) && !(finding.rule in ACCEPTED_WARNINGS),
    );
    expect(unexpected).toEqual([]);
  });

  it('finds nothing at all in the raw CloudFormation template', () => {
    expect(findings.filter((finding) => finding.file === rawTemplate)).toEqual([]);
  });
});
