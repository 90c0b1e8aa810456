import {
  loadConfigWithSecrets,
  secretValuesFrom,
  silenceSdkNodeNotice,
  type ServiceConfigBase,
  type ServiceName,
} from '@docuthinker/config';
import { loadConfigOrExit } from './config-exit';
import { createServiceLogger, type Logger } from './logger';

export interface ServiceContextOptions<C extends ServiceConfigBase> {
  service: ServiceName;
  /** The service's field map, so every variable documented as secret is masked in logs. */
  fields: Parameters<typeof secretValuesFrom>[0];
  load: (env: NodeJS.ProcessEnv) => C;
}

/**
 * The first steps of every composition root: fill unset variables from
 * Secrets Manager (when DOCUTHINKER_SECRETS_PREFIX is set), validate the
 * configuration or exit 1 with every problem, then build the logger that
 * masks every secret value and log the embedded defaults in use, once.
 */
export async function startServiceContext<C extends ServiceConfigBase>(
  options: ServiceContextOptions<C>,
): Promise<{ config: C; logger: Logger }> {
  // The AWS SDK prints a nine-line, non-JSON notice on Node 20 (its releases
  // after January 2027 need Node 22) the first time a client is built: before
  // the one-line error of a failed Secrets Manager read, and at every start
  // of a backend on S3. The workspace pins its SDK versions and the images
  // run Node 24 (.nvmrc), so the notice says nothing about a deployment; on a
  // Node 20 development machine it only breaks the JSON lines. Switched off
  // before any client exists, unless the environment says otherwise.
  silenceSdkNodeNotice();
  const config = await loadConfigOrExit(() =>
    loadConfigWithSecrets(options.service, process.env, options.load),
  );
  const logger = createServiceLogger({
    service: options.service,
    level: config.logLevel,
    secretValues: [
      ...secretValuesFrom(options.fields, process.env),
      config.jwtSecret,
      config.serviceToken,
    ],
  });
  for (const notice of config.notices) logger.info(notice);
  return { config, logger };
}
