import { parse } from 'yaml';
import { durationSeconds, execFormCommand, healthTiming } from './container-hardening';
import type { ContainerView } from './parity-model';

interface ComposeService {
  image?: string;
  command?: string | string[];
  environment?: Record<string, unknown> | string[];
  ports?: (string | number | { target?: number })[];
  expose?: (string | number)[];
  volumes?: (string | { target?: string })[];
  healthcheck?: {
    test?: string | string[];
    interval?: string;
    timeout?: string;
    retries?: number;
    start_period?: string;
  };
  profiles?: string[];
  user?: string;
  read_only?: boolean;
  stop_grace_period?: string;
}

/** `${NAME}`, `${NAME:-default}` or `${NAME:?message}`: the value comes from .env under its own name. */
function readsOwnName(name: string, value: string): boolean {
  return new RegExp(`^\\$\\{${name}(?:(?::?[-?]).*)?\\}$`).test(value);
}

function environmentOf(service: ComposeService): Record<string, string> {
  const { environment } = service;
  if (Array.isArray(environment)) {
    return Object.fromEntries(
      environment.map((entry) => {
        const [name = '', ...rest] = entry.split('=');
        return [name, rest.join('=')];
      }),
    );
  }
  return Object.fromEntries(
    Object.entries(environment ?? {}).map(([name, value]) => [name, String(value ?? '')]),
  );
}

function containerPort(entry: string | number | { target?: number }): number {
  if (typeof entry === 'object') return Number(entry.target);
  return Number(String(entry).split('/')[0]?.split(':').pop());
}

export interface ComposeFile {
  readonly containers: Map<string, ContainerView>;
  /** Each service's environment as written, `${…}` references included. */
  readonly rawEnvironments: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** Services started only with `--profile`. */
  readonly profiled: ReadonlySet<string>;
}

/**
 * The compose services as containers. A variable whose value is read from
 * .env under its own name is reported as a secret delivered by `.env`, the
 * compose counterpart of an ECS secret.
 */
export function readCompose(text: string): ComposeFile {
  const document = parse(text, { merge: true }) as { services?: Record<string, ComposeService> };
  const containers = new Map<string, ContainerView>();
  const rawEnvironments = new Map<string, Record<string, string>>();
  const profiled = new Set<string>();
  for (const [name, service] of Object.entries(document.services ?? {})) {
    if ((service.profiles ?? []).length > 0) profiled.add(name);
    const environment: Record<string, string> = {};
    const secrets: Record<string, string> = {};
    const written = environmentOf(service);
    rawEnvironments.set(name, written);
    for (const [variable, value] of Object.entries(written)) {
      if (readsOwnName(variable, value)) secrets[variable] = '.env';
      else environment[variable] = value;
    }
    const { healthcheck } = service;
    const test = healthcheck?.test;
    // A string is the shell form, as Docker reads it.
    const healthCheck = Array.isArray(test)
      ? execFormCommand(test)
      : test === undefined
        ? undefined
        : `CMD-SHELL ${test}`;
    const command = service.command;
    containers.set(name, {
      name,
      image: service.image,
      ports: [...(service.ports ?? []), ...(service.expose ?? [])].map(containerPort),
      healthChecks: healthCheck ? [healthCheck] : [],
      probePaths: [],
      environment,
      secrets,
      mountPaths: (service.volumes ?? []).map((volume) =>
        typeof volume === 'string' ? (volume.split(':')[1] ?? '') : (volume.target ?? ''),
      ),
      command: Array.isArray(command) ? command : (command ?? '').split(/\s+/).filter(Boolean),
      user: service.user,
      readOnlyRoot: service.read_only ?? false,
      stopTimeoutSeconds: durationSeconds(service.stop_grace_period ?? '10s'),
      healthCommand: healthCheck,
      healthTiming: healthcheck
        ? // Docker's defaults where compose names none, as for a Dockerfile.
          healthTiming({
            interval: durationSeconds(healthcheck.interval ?? '30s'),
            timeout: durationSeconds(healthcheck.timeout ?? '30s'),
            retries: healthcheck.retries ?? 3,
            startPeriod: durationSeconds(healthcheck.start_period ?? '0s'),
          })
        : undefined,
    });
  }
  return { containers, rawEnvironments, profiled };
}
