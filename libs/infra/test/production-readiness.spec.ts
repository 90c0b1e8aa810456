import { App, Aspects, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ProductionReadinessChecks } from '../src/checks/production-readiness-checks';
import { TEST_CONTEXT } from './support/synth-stage';

function errorsOf(stack: Stack): string[] {
  return Annotations.fromStack(stack)
    .findError('*', Match.stringLikeRegexp('ProductionReadiness'))
    .map((message) => String(message.entry.data));
}

describe('ProductionReadinessChecks', () => {
  it('fails a stack whose container and service ignore the production baseline', () => {
    const app = new App({ context: TEST_CONTEXT });
    const stack = new Stack(app, 'Careless');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
    const task = new ecs.FargateTaskDefinition(stack, 'Task');
    task.addContainer('app', {
      image: ecs.ContainerImage.fromRegistry('example/app:1'),
      environment: { OPENAI_API_KEY: 'sk-plain-text' },
      logging: ecs.LogDrivers.awsLogs({
        streamPrefix: 'app',
        logGroup: new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.INFINITE }),
      }),
    });
    new ecs.FargateService(stack, 'Service', { cluster, taskDefinition: task });
    Aspects.of(stack).add(new ProductionReadinessChecks());

    const errors = errorsOf(stack);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringContaining('root filesystem is writable'),
        expect.stringContaining('runs as root'),
        expect.stringContaining('has no health check'),
        expect.stringContaining('has no stopTimeout'),
        expect.stringContaining('logs to a group without retention'),
        expect.stringContaining('passes secret OPENAI_API_KEY as plain environment'),
        expect.stringContaining('no circuit breaker with rollback'),
      ]),
    );
  });

  it('fails a container that runs as uid 0 or logs nowhere it can see', () => {
    const app = new App({ context: TEST_CONTEXT });
    const stack = new Stack(app, 'Root');
    const task = new ecs.FargateTaskDefinition(stack, 'Task');
    task.addContainer('app', {
      image: ecs.ContainerImage.fromRegistry('example/app:1'),
      user: '0:0',
      readonlyRootFilesystem: true,
      stopTimeout: Duration.seconds(30),
      healthCheck: { command: ['CMD', 'true'] },
    });
    Aspects.of(stack).add(new ProductionReadinessChecks());
    const errors = errorsOf(stack);
    expect(errors).toContainEqual(expect.stringContaining('runs as root'));
    expect(errors).toContainEqual(expect.stringContaining('does not log with awslogs'));
    expect(errors).not.toContainEqual(expect.stringContaining('root filesystem is writable'));
  });
});
