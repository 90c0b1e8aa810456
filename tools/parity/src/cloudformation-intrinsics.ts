/** A CloudFormation template as JSON (CDK output) or parsed YAML (long-form intrinsics). */
export interface CfnTemplate {
  readonly Parameters?: Record<string, { Default?: unknown }>;
  readonly Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  readonly Outputs?: Record<string, { Value?: unknown }>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Resolves the intrinsics that carry names the parity check compares: Ref to a
 * parameter (its default), to an ECR repository (its name) or a secret (its
 * name), and Fn::Join. Anything else becomes a visible `<placeholder>`, never
 * a guess.
 */
export function resolveValue(value: unknown, template: CfnTemplate): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  if (isRecord(value)) {
    if (typeof value['Ref'] === 'string') return resolveRef(value['Ref'], template);
    const join = value['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
      return join[1].map((part: unknown) => resolveValue(part, template)).join(join[0]);
    }
    return `<${Object.keys(value)[0] ?? 'unknown'}>`;
  }
  return '<unresolved>';
}

function resolveRef(name: string, template: CfnTemplate): string {
  const parameter = template.Parameters?.[name];
  if (parameter) {
    return parameter.Default === undefined ? `<parameter ${name}>` : String(parameter.Default);
  }
  const resource = template.Resources?.[name];
  const properties = resource?.Properties ?? {};
  if (resource?.Type === 'AWS::ECR::Repository' && properties['RepositoryName'] !== undefined) {
    return resolveValue(properties['RepositoryName'], template);
  }
  if (resource?.Type === 'AWS::SecretsManager::Secret' && properties['Name'] !== undefined) {
    return resolveValue(properties['Name'], template);
  }
  return `<${name}>`;
}

/** `docuthinker/mongodb` from a secret ARN or a bare secret name. */
export function secretNameOf(valueFrom: string): string {
  return /:secret:(.+)$/.exec(valueFrom)?.[1] ?? valueFrom;
}
