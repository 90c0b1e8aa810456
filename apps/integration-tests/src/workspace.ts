import { join, resolve } from 'node:path';

export const WORKSPACE_ROOT = resolve(__dirname, '..', '..', '..');
export const COMPOSE_DIR = join(WORKSPACE_ROOT, 'docker');
export const COMPOSE_FILE = join(COMPOSE_DIR, 'docker-compose.yml');
/** The committed example of docker/.env: the suite runs on exactly what a newcomer copies. */
export const COMPOSE_ENV_EXAMPLE = join(COMPOSE_DIR, '.env.example');
export const COMPOSE_TEST_OVERRIDE = resolve(
  __dirname,
  '..',
  'compose',
  'docker-compose.integration.yml',
);
