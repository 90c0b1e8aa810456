import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import type { StartedDockerComposeEnvironment, StartedTestContainer } from 'testcontainers';
import { parse } from 'yaml';
import { COMPOSE_DIR, COMPOSE_ENV_EXAMPLE, COMPOSE_FILE, COMPOSE_TEST_OVERRIDE } from './workspace';

/** The stores of the compose topology, each with the port the suites reach it on. */
export const STORE_PORTS = { mongo: 27017, redis: 6379, neo4j: 7687, chroma: 8000 } as const;
export type StoreService = keyof typeof STORE_PORTS;
export const STORE_SERVICES = Object.keys(STORE_PORTS) as StoreService[];
/** The two services, built from this checkout (`nx docker-build`), never pulled. */
export const APP_SERVICES = ['backend', 'aiml-gateway'] as const;

/** Where the suites reach the running topology from the host. */
export interface Topology {
  readonly mongoUri: string;
  /** The database the backend uses (the path of MONGODB_URI in .env.example). */
  readonly mongoDatabase: string;
  readonly redisUrl: string;
  /** bolt:// with the credentials: from the host, neo4j:// routing would hand out in-network addresses. */
  readonly neo4jUri: string;
  readonly chromaUrl: string;
  /** Set when the service images were there and backend and aiml-gateway run. */
  readonly services?: { readonly backendUrl: string; readonly gatewayUrl: string };
  /** Why backend and aiml-gateway do not run (their images are not built here). */
  readonly servicesMissing?: string;
}

/**
 * The values compose interpolates: docker/.env.example as committed, with
 * the AI providers pinned to the offline engine so answers do not depend on
 * keys or on a provider being up. Passed explicitly, so neither a developer's
 * docker/.env nor their shell changes what the suite runs.
 */
export function composeVariables(): Record<string, string> {
  const example = parseEnv(readFileSync(COMPOSE_ENV_EXAMPLE, 'utf8')) as Record<string, string>;
  return {
    ...example,
    IMAGE_TAG: process.env['IMAGE_TAG'] || example['IMAGE_TAG'] || 'local',
    DOCUTHINKER_AI_PROVIDERS: 'local',
    DOCUTHINKER_AIML_UPSTREAM_URL: '',
    OPENAI_API_KEY: '',
    ANTHROPIC_API_KEY: '',
    GOOGLE_API_KEY: '',
  };
}

/** `${NAME:-default}` and `${NAME}` as compose expands them in an image name. */
function interpolate(value: string, variables: Record<string, string>): string {
  return value.replace(
    /\$\{(\w+)(?::-([^}]*))?\}/g,
    (_match, name: string, fallback?: string) => variables[name] || fallback || '',
  );
}

/** The image of every store and service, read from docker/docker-compose.yml itself. */
export function composeImages(variables: Record<string, string>): {
  stores: string[];
  services: string[];
} {
  const compose = parse(readFileSync(COMPOSE_FILE, 'utf8')) as {
    services: Record<string, { image?: string }>;
  };
  const imageOf = (service: string) => {
    const image = compose.services[service]?.image;
    if (!image) throw new Error(`docker/docker-compose.yml has no image for "${service}"`);
    return interpolate(image, variables);
  };
  return { stores: STORE_SERVICES.map(imageOf), services: APP_SERVICES.map(imageOf) };
}

/**
 * testcontainers drives the compose CLI: Docker's v2 plugin where there is
 * one (GitHub's runners), else the standalone docker-compose (Debian's
 * package, which is what talks to podman on these machines).
 */
function composeExecutable(): { executable?: { standalone: true } } {
  const answers = (command: string, args: string[]) =>
    spawnSync(command, args, { stdio: 'ignore', timeout: 10_000 }).status === 0;
  if (answers('docker', ['compose', 'version'])) return {};
  if (answers('docker-compose', ['version'])) return { executable: { standalone: true } };
  throw new Error(
    'neither `docker compose` nor `docker-compose` runs here; testcontainers needs one to start docker/docker-compose.yml',
  );
}

export interface RunningTopology {
  readonly topology: Topology;
  stop(): Promise<void>;
}

/**
 * Brings up docker/docker-compose.yml (plus the loopback ports of the
 * stores) under a fresh project name and waits for every container's own
 * compose health check. Without the service images only the stores start.
 */
export async function startTopology(options: {
  readonly unbuiltImages: readonly string[];
  readonly startupTimeoutMs: number;
}): Promise<RunningTopology> {
  const { DockerComposeEnvironment, Wait } = await import('testcontainers');
  const variables = composeVariables();
  // Letters and digits only: compose v1 strips anything else from project names.
  const projectName = `docuthinkerit${randomBytes(4).toString('hex')}`;
  const withServices = options.unbuiltImages.length === 0;

  const environment: StartedDockerComposeEnvironment = await new DockerComposeEnvironment(
    COMPOSE_DIR,
    [COMPOSE_FILE, COMPOSE_TEST_OVERRIDE],
  )
    .withProjectName(projectName)
    .withEnvironment(variables)
    .withDefaultWaitStrategy(Wait.forHealthCheck())
    .withStartupTimeout(options.startupTimeoutMs)
    .withClientOptions(composeExecutable())
    .up(withServices ? undefined : STORE_SERVICES);

  // Compose v2 names containers <project>-<service>-1, v1 <project>_<service>_1;
  // testcontainers strips the "<project>-" of the first form only.
  const container = (service: string): StartedTestContainer => {
    try {
      return environment.getContainer(`${service}-1`);
    } catch {
      return environment.getContainer(`${projectName}_${service}_1`);
    }
  };
  const address = (service: string, port: number) => {
    const started = container(service);
    return `${started.getHost()}:${started.getMappedPort(port)}`;
  };

  const neo4jPassword = encodeURIComponent(variables['NEO4J_PASSWORD'] ?? '');
  const mongoDatabase = new URL(variables['MONGODB_URI'] ?? 'mongodb://mongo/docuthinker').pathname
    .replace(/^\//, '')
    .trim();
  const topology: Topology = {
    // A direct connection: a replica set would announce in-network member names.
    mongoUri: `mongodb://${address('mongo', STORE_PORTS.mongo)}/?directConnection=true`,
    mongoDatabase: mongoDatabase || 'test',
    redisUrl: `redis://${address('redis', STORE_PORTS.redis)}`,
    neo4jUri: `bolt://neo4j:${neo4jPassword}@${address('neo4j', STORE_PORTS.neo4j)}`,
    chromaUrl: `http://${address('chroma', STORE_PORTS.chroma)}`,
    ...(withServices
      ? {
          services: {
            backendUrl: `http://${address('backend', 5000)}`,
            gatewayUrl: `http://${address('aiml-gateway', 8000)}`,
          },
        }
      : {
          servicesMissing: `${options.unbuiltImages.join(', ')} not built here: run \`npx nx run-many -t docker-build -p ${APP_SERVICES.join(',')}\` (with the same IMAGE_TAG) first`,
        }),
  };
  return {
    topology,
    stop: async () => {
      await environment.down({ removeVolumes: true, timeout: 10_000 });
    },
  };
}
