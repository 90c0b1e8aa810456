import type { ConfigResolution } from './parse-environment';
import type { commonFields } from './common-fields';
import { readOrCreateEmbeddedSecrets } from './embedded-secrets';
import {
  guessableSecretProblem,
  RANDOM_SECRET_HINT,
  SIGNING_SECRET_VARIABLES,
} from './guessable-secret';

export interface PlatformSecrets {
  jwtSecret: string;
  serviceToken: string;
}

/**
 * The JWT key and service token: from the environment when set, generated
 * into the data directory where embedded defaults are allowed, otherwise a
 * problem each. Generated values would differ per replica, so production
 * without DOCUTHINKER_ALLOW_EMBEDDED must provide them, and random ones:
 * docker/.env.example's placeholders are public.
 */
export function resolvePlatformSecrets(
  resolution: ConfigResolution<typeof commonFields>,
): PlatformSecrets | undefined {
  const { values } = resolution;
  const missing = (['DOCUTHINKER_JWT_SECRET', 'DOCUTHINKER_SERVICE_TOKEN'] as const).filter(
    (variable) => values[variable] === undefined && !resolution.hasProblem(variable),
  );
  if (!resolution.embeddedAllowed) refuseGuessableSecrets(resolution);
  if (missing.length === 0) {
    return values.DOCUTHINKER_JWT_SECRET && values.DOCUTHINKER_SERVICE_TOKEN
      ? { jwtSecret: values.DOCUTHINKER_JWT_SECRET, serviceToken: values.DOCUTHINKER_SERVICE_TOKEN }
      : undefined;
  }
  if (!resolution.embeddedAllowed) {
    for (const variable of missing) {
      resolution.addProblem({
        variable,
        problem: resolution.unsetInProduction,
        expected: `${resolution.expectedFor(variable)}, or DOCUTHINKER_ALLOW_EMBEDDED=true to generate one`,
      });
    }
    return undefined;
  }
  const dataDir = values.DOCUTHINKER_DATA_DIR ?? '.data';
  resolution.requireWritableDirectory('DOCUTHINKER_DATA_DIR', dataDir);
  if (resolution.hasProblem('DOCUTHINKER_DATA_DIR')) return undefined;
  const generated = readOrCreateEmbeddedSecrets(dataDir);
  for (const variable of missing) {
    resolution.notices.push(`${variable} is not set: using a generated value kept in ${dataDir}`);
  }
  return {
    jwtSecret: values.DOCUTHINKER_JWT_SECRET ?? generated.jwtSecret,
    serviceToken: values.DOCUTHINKER_SERVICE_TOKEN ?? generated.serviceToken,
  };
}

/**
 * Production refuses a signing secret that is not random (found in review:
 * `.env.example`'s placeholder loaded, and anyone who had read the
 * repository could forge tokens). A local topology (compose) runs in
 * production mode with DOCUTHINKER_ALLOW_EMBEDDED and may keep it.
 */
function refuseGuessableSecrets(resolution: ConfigResolution<typeof commonFields>): void {
  for (const variable of SIGNING_SECRET_VARIABLES) {
    const value = resolution.values[variable as keyof typeof commonFields];
    if (typeof value !== 'string' || resolution.hasProblem(variable)) continue;
    const problem = guessableSecretProblem(value);
    if (problem) {
      resolution.addProblem({
        variable,
        problem,
        expected: `${RANDOM_SECRET_HINT}, or DOCUTHINKER_ALLOW_EMBEDDED=true on a laptop`,
      });
    }
  }
}
