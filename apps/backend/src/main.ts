import { createServer } from 'node:http';
import {
  backendFields,
  loadBackendConfig,
  loadSecretsIntoEnvironment,
  secretValuesFrom,
} from '@docuthinker/config';
import {
  closeHttpServer,
  createServiceLogger,
  installGracefulShutdown,
  loadConfigOrExit,
} from '@docuthinker/runtime';
import { createBackendApp } from './app';
import { createDependencyProbes } from './dependency-probes';

/** Composition root: config, adapters, app, listen, and the one shutdown path. */
async function main(): Promise<void> {
  const config = await loadConfigOrExit(async () => {
    await loadSecretsIntoEnvironment({
      service: 'backend',
      prefix: process.env['DOCUTHINKER_SECRETS_PREFIX'],
      env: process.env,
    });
    return loadBackendConfig(process.env);
  });
  const logger = createServiceLogger({
    service: 'backend',
    level: config.logLevel,
    secretValues: [
      ...secretValuesFrom(backendFields, process.env),
      config.jwtSecret,
      config.serviceToken,
    ],
  });
  for (const notice of config.notices) logger.info(notice);

  const probes = await createDependencyProbes(config);
  const app = createBackendApp({ config, logger, readinessChecks: probes.checks });
  const server = createServer(app);
  server.keepAliveTimeout = 65_000; // above the ALB's 60 s idle timeout

  installGracefulShutdown({
    logger,
    drainTimeoutMs: config.drainTimeoutMs,
    steps: [
      { name: 'http', run: () => closeHttpServer(server, config.drainTimeoutMs) },
      { name: 'dependencies', run: () => probes.close() },
    ],
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, () => resolve());
  });
  logger.info({ port: config.port, nodeEnv: config.nodeEnv }, 'backend listening');
}

main().catch((error: unknown) => {
  process.stderr.write(`backend failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
