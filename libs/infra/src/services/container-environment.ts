import {
  backendFields,
  gatewayFields,
  PLATFORM_SECRETS,
  type ServiceName,
} from '@docuthinker/config';
import { DRAIN_TIMEOUT_MS } from '../settings/platform-constants';

const FIELDS_BY_SERVICE: Record<ServiceName, Readonly<Record<string, unknown>>> = {
  backend: backendFields,
  'aiml-gateway': gatewayFields,
};

const SECRET_VARIABLES = new Set(PLATFORM_SECRETS.map((secret) => secret.variable));

/**
 * The plain environment of a service container. Every name must be one the
 * service reads (a key of its field map in @docuthinker/config), and no
 * catalogue secret may appear here: those go through ECS `secrets`.
 */
export function containerEnvironment(
  service: ServiceName,
  values: Record<string, string>,
): Record<string, string> {
  const environment: Record<string, string> = {
    NODE_ENV: 'production',
    DOCUTHINKER_DRAIN_TIMEOUT_MS: String(DRAIN_TIMEOUT_MS),
    ...values,
  };
  const fields = FIELDS_BY_SERVICE[service];
  for (const name of Object.keys(environment)) {
    if (!(name in fields)) throw new Error(`${service} does not read environment variable ${name}`);
    if (SECRET_VARIABLES.has(name)) {
      throw new Error(`${name} is a secret in the catalogue and must be injected as an ECS secret`);
    }
  }
  return environment;
}
