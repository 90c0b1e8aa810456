import type { ConfigResolution } from './parse-environment';
import type { commonFields } from './common-fields';
import { readOrCreateEmbeddedSecrets } from './embedded-secrets';

export interface PlatformSecrets {
  jwtSecret: string;
  serviceToken: string;
}

/**
 * The JWT key and service token: from the environment when set, generated
 * into the data directory where embedded defaults are allowed, otherwise a
 * problem each. Generated values would differ per replica, so production
 * without DOCUTHINKER_ALLOW_EMBEDDED must provide them.
 */
export function resolvePlatformSecrets(
  resolution: ConfigResolution<typeof commonFields>,
): PlatformSecrets | undefined {
  const { values } = resolution;
  const missing = (['DOCUTHINKER_JWT_SECRET', 'DOCUTHINKER_SERVICE_TOKEN'] as const).filter(
    (variable) => values[variable] === undefined && !resolution.hasProblem(variable),
  );
  if (missing.length === 0) {
    return values.DOCUTHINKER_JWT_SECRET && values.DOCUTHINKER_SERVICE_TOKEN
      ? { jwtSecret: values.DOCUTHINKER_JWT_SECRET, serviceToken: values.DOCUTHINKER_SERVICE_TOKEN }
      : undefined;
  }
  if (!resolution.embeddedAllowed) {
    for (const variable of missing) {
      resolution.addProblem({
        variable,
        problem: 'is not set (required in production)',
        expected: `${resolution.expectedFor(variable)}, or DOCUTHINKER_ALLOW_EMBEDDED=true to generate one`,
      });
    }
    return undefined;
  }
  const dataDir = values.DOCUTHINKER_DATA_DIR ?? '.data';
  const generated = readOrCreateEmbeddedSecrets(dataDir);
  for (const variable of missing) {
    resolution.notices.push(`${variable} is not set: using a generated value kept in ${dataDir}`);
  }
  return {
    jwtSecret: values.DOCUTHINKER_JWT_SECRET ?? generated.jwtSecret,
    serviceToken: values.DOCUTHINKER_SERVICE_TOKEN ?? generated.serviceToken,
  };
}
