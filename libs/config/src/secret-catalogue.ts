/**
 * The Secrets Manager layout: one secret per value under `docuthinker/`.
 * libs/infra, the CloudFormation template, compose and tools/secrets all read
 * this list, and the parity check holds them to it.
 */
export const SECRET_PREFIX = 'docuthinker/';

export type ServiceName = 'backend' | 'aiml-gateway';

export interface PlatformSecret {
  /** The name under the prefix, e.g. `jwt` for `docuthinker/jwt`. */
  readonly name: string;
  /** The environment variable the value is delivered in. */
  readonly variable: string;
  readonly services: readonly ServiceName[];
  /** Required when a service loads its secrets from Secrets Manager. */
  readonly required: boolean;
  /** A value the platform can make itself (CDK may generate and rotate it). */
  readonly generatable: boolean;
  /**
   * The service's boolean switch for the only feature that uses this secret:
   * while it reads false the feature is off and the secret is not needed.
   */
  readonly neededWhen?: string;
}

export const PLATFORM_SECRETS: readonly PlatformSecret[] = Object.freeze([
  {
    name: 'openai',
    variable: 'OPENAI_API_KEY',
    services: ['aiml-gateway'],
    required: false,
    generatable: false,
  },
  {
    name: 'anthropic',
    variable: 'ANTHROPIC_API_KEY',
    services: ['aiml-gateway'],
    required: false,
    generatable: false,
  },
  {
    name: 'google',
    variable: 'GOOGLE_API_KEY',
    services: ['aiml-gateway'],
    required: false,
    generatable: false,
  },
  {
    name: 'neo4j',
    variable: 'DOCUTHINKER_NEO4J_URI',
    services: ['aiml-gateway'],
    required: true,
    generatable: false,
    neededWhen: 'DOCUTHINKER_SYNC_GRAPH',
  },
  {
    name: 'chroma',
    variable: 'DOCUTHINKER_CHROMA_URL',
    services: ['aiml-gateway'],
    required: true,
    generatable: false,
    neededWhen: 'DOCUTHINKER_SYNC_VECTOR',
  },
  {
    name: 'mongodb',
    variable: 'MONGODB_URI',
    services: ['backend'],
    required: true,
    generatable: false,
  },
  {
    name: 'redis',
    variable: 'REDIS_URL',
    // The gateway counts users' AI calls there, so every replica shares them.
    services: ['backend', 'aiml-gateway'],
    required: true,
    generatable: false,
  },
  {
    name: 'jwt',
    variable: 'DOCUTHINKER_JWT_SECRET',
    services: ['backend', 'aiml-gateway'],
    required: true,
    generatable: true,
  },
  {
    name: 'service-token',
    variable: 'DOCUTHINKER_SERVICE_TOKEN',
    services: ['backend', 'aiml-gateway'],
    required: true,
    generatable: true,
  },
]);

export function secretsFor(service: ServiceName): PlatformSecret[] {
  return PLATFORM_SECRETS.filter((secret) => secret.services.includes(service));
}

export function secretByName(name: string): PlatformSecret | undefined {
  return PLATFORM_SECRETS.find((secret) => secret.name === name);
}

export function secretByVariable(variable: string): PlatformSecret | undefined {
  return PLATFORM_SECRETS.find((secret) => secret.variable === variable);
}

/** The characters Secrets Manager takes in a secret's name; its API refuses any other. */
const SECRET_NAME_CHARACTERS = /^[A-Za-z0-9/_+=.@-]+$/;
/** Room left in a name of at most 512 characters for the longest secret's own name. */
const MAX_PREFIX_LENGTH = 480;

/**
 * What is wrong with a secret name prefix, as a phrase after its name, or
 * undefined: found when it is given, not as the SDK's ValidationException at
 * the first call (found in an exploratory test of the secrets CLI).
 */
export function secretPrefixProblem(prefix: string): string | undefined {
  if (!SECRET_NAME_CHARACTERS.test(prefix)) {
    return 'may hold only letters, digits and / _ + = . @ - (the characters of a Secrets Manager name)';
  }
  if (prefix.length > MAX_PREFIX_LENGTH) {
    return `is longer than ${MAX_PREFIX_LENGTH} characters, which a secret name leaves no room for`;
  }
  return undefined;
}

/** `docuthinker/` + name, with the prefix normalised to end in one slash. */
export function qualifiedSecretId(name: string, prefix = SECRET_PREFIX): string {
  return `${prefix.replace(/\/*$/, '/')}${name}`;
}
