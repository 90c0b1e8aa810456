import {
  gatewayFields,
  loadGatewayConfig,
  loadSecretsIntoEnvironment,
  secretValuesFrom,
} from '@docuthinker/config';
import {
  closeHttpServer,
  createServiceLogger,
  installGracefulShutdown,
  loadConfigOrExit,
} from '@docuthinker/runtime';
import { createGatewayApp } from './app';
import { createDependencyProbes } from './dependency-probes';

/** Composition root: config, adapters, app, listen, and the one shutdown path. */
async function main(): Promise<void> {
  const config = await loadConfigOrExit(async () => {
    await loadSecretsIntoEnvironment({
      service: 'aiml-gateway',
      prefix: process.env['DOCUTHINKER_SECRETS_PREFIX'],
      env: process.env,
    });
    return loadGatewayConfig(process.env);
  });
  const logger = createServiceLogger({
    service: 'aiml-gateway',
    level: config.logLevel,
    secretValues: [
      ...secretValuesFrom(gatewayFields, process.env),
      config.jwtSecret,
      config.serviceToken,
    ],
  });
  for (const notice of config.notices) logger.info(notice);

  const probes = await createDependencyProbes(config);
  const app = createGatewayApp({ config, logger, readinessChecks: probes.checks });

  installGracefulShutdown({
    logger,
    drainTimeoutMs: config.drainTimeoutMs,
    steps: [
      {
        name: 'http',
        run: () => closeHttpServer(app.server, config.drainTimeoutMs, () => app.close()),
      },
      { name: 'dependencies', run: () => probes.close() },
    ],
  });

  await app.listen({ port: config.port, host: '0.0.0.0' });
  logger.info(
    { port: config.port, nodeEnv: config.nodeEnv, providers: config.providers },
    'gateway listening',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`aiml-gateway failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
