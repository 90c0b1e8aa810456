// Anchor for the synth benchmark: the smallest CDK app with one stack and one
// resource, synthesized by the same CLI, so the ratio shows what the platform
// stacks cost beyond loading the CDK itself.
import { App, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';

const app = new App();
new sns.Topic(new Stack(app, 'BenchAnchor'), 'Topic');
app.synth();
