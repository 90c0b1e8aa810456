import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { STAGE_NAMES, STAGE_SETTINGS } from '../src/settings/stage-settings';
import { RAW_TEMPLATE_PATH, renderRawTemplate } from '../src/template/render-raw-template';
import { cfnLintVersion, runCfnLint, type CfnLintFinding } from './support/cfn-lint';
import { stageFixtures } from './support/stage-fixtures';
import { acknowledgements } from './support/synth-stage';

/**
 * The checks that fail the build on every stage: cdk-nag AwsSolutions with
 * acknowledged exceptions only, our ProductionReadinessChecks, and cfn-lint.
 * The fixtures switch on the optional features (HTTPS, DNS failover, the
 * FastAPI sidecar, alarm e-mail) so their resources are checked too.
 */
const stages = stageFixtures();

/** cdk-nag findings under a scope, one readable line each. */
function nagFindings(scope: IConstruct): string[] {
  const report = new AwsSolutionsChecks().validateScope(scope);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map(
      (resource) =>
        `${violation.ruleName} ${resource.constructPath ?? resource.resourceLogicalId}: ${violation.description}`,
    ),
  );
}

describe('cdk-nag AwsSolutions', () => {
  it.each(STAGE_NAMES)('has no unacknowledged finding in %s', (stage) => {
    expect(nagFindings(stages[stage]().app)).toEqual([]);
  });

  it('has no unacknowledged finding in the raw CloudFormation template stack', () => {
    expect(nagFindings(renderRawTemplate().app)).toEqual([]);
  });

  it('gives every acknowledgement a reason', () => {
    const all = [
      ...STAGE_NAMES.flatMap((stage) => acknowledgements(stages[stage]().app)),
      ...acknowledgements(renderRawTemplate().app),
    ];
    expect(all.length).toBeGreaterThan(5);
    for (const acknowledgement of all) {
      // Rule ids given without a plugin prefix are stored under the Annotation:: namespace.
      expect(acknowledgement.id).toMatch(/^(Annotation::AwsSolutions-|CloudFormation-Validate::)/);
      expect(acknowledgement.reason.length).toBeGreaterThan(40);
    }
  });
});

describe('ProductionReadinessChecks', () => {
  it.each(STAGE_NAMES)('passes every container and service of %s', (stage) => {
    const { stacks } = stages[stage]();
    for (const stack of [
      stacks.network,
      stacks.platform,
      ...(stacks.registry ? [stacks.registry] : []),
    ]) {
      expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
    }
  });
});

/**
 * Warnings that follow from deliberate choices, each with its reason; any other
 * warning or any error fails the build.
 */
const ACCEPTED_CFN_LINT_WARNINGS: Record<string, string> = {
  W3005: 'CDK emits DependsOn next to a GetAtt for its custom-resource provider role',
  W3010: 'the network plan pins subnets to named AZs (10.0.1.0/24 in a, 10.0.2.0/24 in b, ...)',
};

const cfnLint = cfnLintVersion();
if (!cfnLint) {
  console.warn('SKIPPED (cfn-lint not on PATH): synthesized and raw templates were not linted');
}
const describeWithCfnLint = cfnLint ? describe : describe.skip;

describeWithCfnLint(`cfn-lint (${cfnLint ?? 'absent'})`, () => {
  const rawTemplate = join(__dirname, '..', RAW_TEMPLATE_PATH);
  const templatesByStage = new Map<string, string[]>();
  let findings: CfnLintFinding[] = [];

  // One cfn-lint run over every template: its start-up dominates the cost.
  beforeAll(() => {
    for (const stage of STAGE_NAMES) {
      const directory = stages[stage]().app.synth().directory;
      templatesByStage.set(
        stage,
        readdirSync(directory)
          .filter((file) => file.endsWith('.template.json'))
          .map((file) => join(directory, file)),
      );
    }
    findings = runCfnLint([...[...templatesByStage.values()].flat(), rawTemplate]);
  });

  it.each(STAGE_NAMES)('finds nothing unexpected in the %s templates', (stage) => {
    const templates = templatesByStage.get(stage) ?? [];
    // Network and Platform; prod also the image repositories' stack.
    expect(templates).toHaveLength(STAGE_SETTINGS[stage].ownsImageRepositories ? 3 : 2);
    // The pinned-AZ warning is known to occur: proves findings are matched to these files.
    expect(
      findings.some((finding) => templates.includes(finding.file) && finding.rule === 'W3010'),
    ).toBe(true);
    const unexpected = findings.filter(
      (finding) =>
        templates.includes(finding.file) && !(finding.rule in ACCEPTED_CFN_LINT_WARNINGS),
    );
    expect(unexpected).toEqual([]);
  });

  it('finds nothing at all in the raw CloudFormation template', () => {
    expect(findings.filter((finding) => finding.file === rawTemplate)).toEqual([]);
  });
});
