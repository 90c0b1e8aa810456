import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { STAGE_NAMES } from '../src/settings/stage-settings';
import { renderRawTemplate } from '../src/template/render-raw-template';
import { acknowledgements, synthStage, TEST_CONTEXT } from './support/synth-stage';

/** cdk-nag findings under a scope, one readable line each. */
function findings(scope: IConstruct): string[] {
  const report = new AwsSolutionsChecks().validateScope(scope);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map(
      (resource) =>
        `${violation.ruleName} ${resource.constructPath ?? resource.resourceLogicalId}: ${violation.description}`,
    ),
  );
}

describe('cdk-nag AwsSolutions', () => {
  it('reports findings on a deliberately bad stack (the check is live)', () => {
    const app = new App({ context: TEST_CONTEXT });
    const stack = new Stack(app, 'Bad');
    new s3.Bucket(stack, 'Open');
    app.synth();
    expect(findings(stack).some((line) => line.startsWith('AwsSolutions-S10'))).toBe(true);
  });

  it.each(STAGE_NAMES)('has no unacknowledged finding in %s', (stage) => {
    const { app } = synthStage(stage);
    expect(findings(app)).toEqual([]);
  });

  it('has no unacknowledged finding with HTTPS, DNS failover and the FastAPI sidecar', () => {
    const { app } = synthStage('prod', {
      https: {
        domainName: 'api.docuthinker.example',
        hostedZone: { zoneName: 'docuthinker.example', hostedZoneId: 'Z0123456789EXAMPLE' },
      },
      aimlUpstreamImage: '111111111111.dkr.ecr.us-east-1.amazonaws.com/docuthinker-fastapi:3f2c1ab',
      alarmEmail: 'oncall@docuthinker.example',
    });
    expect(findings(app)).toEqual([]);
  });

  it('has no unacknowledged finding in the raw CloudFormation template stack', () => {
    expect(findings(renderRawTemplate().app)).toEqual([]);
  });

  it('gives every acknowledgement a reason', () => {
    const { app } = synthStage('dev');
    const all = [...acknowledgements(app), ...acknowledgements(renderRawTemplate().app)];
    expect(all.length).toBeGreaterThan(5);
    for (const acknowledgement of all) {
      // Rule ids given without a plugin prefix are stored under the Annotation:: namespace.
      expect(acknowledgement.id).toMatch(/^(Annotation::AwsSolutions-|CloudFormation-Validate::)/);
      expect(acknowledgement.reason.length).toBeGreaterThan(40);
    }
  });
});
