import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeContainerEngine {
  /** `unix://…` for DOCKER_HOST. */
  readonly dockerHost: string;
  /** Image names the probe asked the engine to pull. */
  readonly pullRequests: string[];
  close(): Promise<void>;
}

/**
 * Just enough of the Docker Engine API for testcontainers to resolve a
 * runtime, look images up and pull them, on a unix socket. `images` are the
 * images it has; a pull of any other ends as podman's does on a machine
 * without a registry: HTTP 200, the registry error inside the progress
 * stream, and no image afterwards.
 */
export async function startFakeContainerEngine(
  images: readonly string[],
): Promise<FakeContainerEngine> {
  const dir = mkdtempSync(join(tmpdir(), 'fake-engine-'));
  const socket = join(dir, 'engine.sock');
  const pullRequests: string[] = [];
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://engine');
    const path = url.pathname.replace(/^\/v[0-9.]+/, '');
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.method === 'GET' && path === '/info') {
      return json(200, {
        ServerVersion: '0.0-fake',
        OperatingSystem: 'fake engine',
        OSType: 'linux',
        Architecture: 'x86_64',
        NCPU: 2,
        MemTotal: 1,
        IndexServerAddress: 'https://index.docker.io/v1/',
      });
    }
    const image = /^\/images\/(.+)\/json$/.exec(path)?.[1];
    if (request.method === 'GET' && image !== undefined) {
      const name = decodeURIComponent(image);
      return images.includes(name)
        ? json(200, { Id: `sha256:${name}` })
        : json(404, { message: `No such image: ${name}` });
    }
    if (request.method === 'POST' && path === '/images/create') {
      const name = `${url.searchParams.get('fromImage')}:${url.searchParams.get('tag') ?? 'latest'}`;
      pullRequests.push(name);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        `${JSON.stringify({
          error: `initializing source docker://${name}: pinging container registry registry-1.docker.io: no such host`,
        })}\n`,
      );
      return;
    }
    json(404, { message: `${request.method} ${path} is not faked` });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    dockerHost: `unix://${socket}`,
    pullRequests,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A socket that accepts connections and never answers, like a wedged engine. */
export async function startSilentSocket(): Promise<{ dockerHost: string; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'silent-engine-'));
  const socket = join(dir, 'engine.sock');
  const server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    dockerHost: `unix://${socket}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
