import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where testcontainers would find a container engine, checked synchronously so
 * a suite can decide to run or skip while it is being defined. Undefined when
 * there is none (no DOCKER_HOST, no Docker or Podman socket).
 */
export function containerRuntimeLocation(): string | undefined {
  if (process.env['DOCKER_HOST']) return process.env['DOCKER_HOST'];
  const properties = join(homedir(), '.testcontainers.properties');
  if (existsSync(properties)) {
    const host = /^docker\.host\s*=\s*(.+)$/m.exec(readFileSync(properties, 'utf8'))?.[1]?.trim();
    if (host) return host;
  }
  const runtimeDir = process.env['XDG_RUNTIME_DIR'];
  const sockets = [
    '/var/run/docker.sock',
    join(homedir(), '.docker', 'run', 'docker.sock'),
    '/run/podman/podman.sock',
    ...(runtimeDir
      ? [join(runtimeDir, 'docker.sock'), join(runtimeDir, 'podman', 'podman.sock')]
      : []),
  ];
  return sockets.find((socket) => existsSync(socket));
}
