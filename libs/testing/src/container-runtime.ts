import { existsSync, readFileSync, writeSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';

/**
 * Why testcontainers could not reach a container engine here, or null when
 * one looks reachable. Mirrors the places testcontainers itself looks (Docker
 * and Podman sockets, DOCKER_HOST, ~/.testcontainers.properties), but
 * synchronously, so a suite can decide to skip while it is being defined.
 * A reachable engine may still be unable to pull images; suites that must
 * tell those apart probe further (apps/integration-tests does).
 */
export function containerRuntimeUnavailableReason(): string | null {
  if (process.env['DOCKER_HOST'] || process.env['TESTCONTAINERS_HOST_OVERRIDE']) return null;
  const properties = join(homedir(), '.testcontainers.properties');
  if (existsSync(properties) && /^\s*docker\.host\s*=/m.test(readFileSync(properties, 'utf8'))) {
    return null;
  }
  const runtimeDir = process.env['XDG_RUNTIME_DIR'];
  const sockets = [
    '/var/run/docker.sock',
    ...(runtimeDir
      ? [join(runtimeDir, 'docker.sock'), join(runtimeDir, 'podman', 'podman.sock')]
      : []),
    join(homedir(), '.docker', 'run', 'docker.sock'),
    join(homedir(), '.docker', 'desktop', 'docker.sock'),
    join('/run', 'user', String(userInfo().uid), 'docker.sock'),
    '/run/podman/podman.sock',
  ];
  if (sockets.some((socket) => existsSync(socket))) return null;
  return `DOCKER_HOST is unset and there is no Docker or Podman socket (${sockets.join(', ')})`;
}

/**
 * Prints the one visible line that says a suite did not run, so a missing
 * runtime can never pass for a green run. Written to the file descriptor at
 * once: jest's reporter holds what goes through process.stdout.write back
 * for a moment, and the last suite's line was lost when jest force-exited
 * (found in an exploratory test: the Neo4j line of the compose suites never
 * showed). A pipe too full to take it now gets it the usual way.
 */
export function announceSkipped(suite: string, reason: string): void {
  const line = `SKIPPED (no container runtime): ${suite}: ${reason}\n`;
  try {
    writeSync(process.stdout.fd, line);
  } catch {
    process.stdout.write(line);
  }
}
