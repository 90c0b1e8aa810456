import { Annotations, CfnResource, Stack, type IAspect } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';
import { PLATFORM_SECRETS } from '@docuthinker/config';

const ROOT_USERS = new Set(['root', '0']);
const SECRET_VARIABLES = new Set(PLATFORM_SECRETS.map((secret) => secret.variable));

interface ContainerDefinitionJson {
  name?: string;
  readonlyRootFilesystem?: boolean;
  user?: string;
  healthCheck?: { command?: string[] };
  stopTimeout?: number;
  logConfiguration?: { logDriver?: string; options?: Record<string, unknown> };
  environment?: { name?: string }[];
}

interface ServiceJson {
  deploymentConfiguration?: { deploymentCircuitBreaker?: { enable?: boolean; rollback?: boolean } };
}

/**
 * What cdk-nag does not check: every container runs read-only, non-root, with
 * a health check, a stop timeout and logs to a group with retention; no
 * catalogue secret sits in plain environment; every ECS service rolls back on
 * a failed deployment. Each problem is a synth error on the offending resource.
 */
export class ProductionReadinessChecks implements IAspect {
  visit(node: IConstruct): void {
    if (node instanceof ecs.CfnTaskDefinition) this.checkTaskDefinition(node);
    if (node instanceof ecs.CfnService) this.checkService(node);
  }

  private checkTaskDefinition(task: ecs.CfnTaskDefinition): void {
    const stack = Stack.of(task);
    const containers = (stack.resolve(task.containerDefinitions) ??
      []) as ContainerDefinitionJson[];
    for (const container of containers) {
      const name = container.name ?? '(unnamed)';
      const problems: string[] = [];
      if (container.readonlyRootFilesystem !== true) problems.push('root filesystem is writable');
      if (!container.user || ROOT_USERS.has(container.user.split(':')[0] ?? ''))
        problems.push('runs as root');
      if (!container.healthCheck?.command?.length) problems.push('has no health check');
      if (container.stopTimeout === undefined) problems.push('has no stopTimeout');
      const logProblem = this.logProblem(stack, container);
      if (logProblem) problems.push(logProblem);
      for (const variable of container.environment ?? []) {
        if (variable.name && SECRET_VARIABLES.has(variable.name)) {
          problems.push(`passes secret ${variable.name} as plain environment`);
        }
      }
      for (const problem of problems) {
        Annotations.of(task).addError(`[ProductionReadiness] container ${name} ${problem}`);
      }
    }
  }

  private logProblem(stack: Stack, container: ContainerDefinitionJson): string | undefined {
    const logging = container.logConfiguration;
    if (logging?.logDriver !== 'awslogs') return 'does not log with awslogs';
    const group = logging.options?.['awslogs-group'] as { Ref?: string } | string | undefined;
    const logicalId = typeof group === 'object' ? group.Ref : undefined;
    const logGroup = logicalId ? findLogGroup(stack, logicalId) : undefined;
    if (!logGroup) return 'logs to a group this stack does not define (retention unknown)';
    if (logGroup.retentionInDays === undefined) return 'logs to a group without retention';
    return undefined;
  }

  private checkService(service: ecs.CfnService): void {
    const configuration = Stack.of(service).resolve(service.deploymentConfiguration) as
      ServiceJson['deploymentConfiguration'] | undefined;
    const breaker = configuration?.deploymentCircuitBreaker;
    if (breaker?.enable !== true || breaker.rollback !== true) {
      Annotations.of(service).addError(
        '[ProductionReadiness] service has no circuit breaker with rollback',
      );
    }
  }
}

function findLogGroup(stack: Stack, logicalId: string): logs.CfnLogGroup | undefined {
  return stack.node
    .findAll()
    .find(
      (child): child is logs.CfnLogGroup =>
        child instanceof logs.CfnLogGroup &&
        stack.resolve((child as CfnResource).logicalId) === logicalId,
    );
}
