import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { TEST_CONTEXT } from './support/synth-stage';

describe('cdk-nag', () => {
  it('reports findings on a deliberately bad stack, so a clean report on the stages means something', () => {
    const app = new App({ context: TEST_CONTEXT });
    const stack = new Stack(app, 'Bad');
    new s3.Bucket(stack, 'Open');
    app.synth();
    const rules = new AwsSolutionsChecks()
      .validateScope(stack)
      .violations.map((violation) => violation.ruleName);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
  });
});
