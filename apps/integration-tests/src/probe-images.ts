import { getContainerRuntimeClient, ImageName } from 'testcontainers';
import type { ProbeRequest, ProbeResult } from './probe-protocol';

function withTimeout<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

const firstLine = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'unknown error';

/**
 * Asks testcontainers itself for a container runtime (its own strategy
 * resolution: TESTCONTAINERS_HOST_OVERRIDE, ~/.testcontainers.properties,
 * DOCKER_HOST, the usual sockets) and then has that runtime pull every image
 * the stores need. A socket that answers is not enough: podman here answers
 * but cannot reach a registry, and its pull "succeeds" with an error inside
 * the progress stream, so each image is looked up again after the pull.
 */
export async function probeImages(request: ProbeRequest): Promise<ProbeResult> {
  let client: Awaited<ReturnType<typeof getContainerRuntimeClient>>;
  try {
    client = await withTimeout(
      getContainerRuntimeClient(),
      request.runtimeTimeoutMs,
      'looking for a container runtime',
    );
  } catch (error) {
    const dockerHost = process.env['DOCKER_HOST'];
    return {
      available: false,
      reason: `testcontainers: ${firstLine(error)}${dockerHost ? ` (DOCKER_HOST=${dockerHost})` : ''}`,
    };
  }
  const { serverVersion, operatingSystem, host } = client.info.containerRuntime;
  const runtime = `the container engine at ${process.env['DOCKER_HOST'] || 'the default socket'} (${operatingSystem}, server ${serverVersion}, containers at ${host})`;

  const exists = (image: string) => client.image.exists(ImageName.fromString(image));
  const unpulled: string[] = [];
  const pullErrors: string[] = [];
  await Promise.all(
    request.pulledImages.map(async (image) => {
      if (await exists(image)) return;
      try {
        await client.image.pull(ImageName.fromString(image));
      } catch (error) {
        pullErrors.push(`${image}: ${firstLine(error)}`);
      }
      if (!(await exists(image))) unpulled.push(image);
    }),
  );
  if (unpulled.length > 0) {
    const detail = pullErrors.length > 0 ? ` (${pullErrors.join('; ')})` : '';
    return {
      available: false,
      reason: `${runtime} cannot pull ${unpulled.sort().join(', ')}${detail}`,
    };
  }

  const unbuiltImages: string[] = [];
  for (const image of request.builtImages) {
    if (!(await exists(image))) unbuiltImages.push(image);
  }
  return { available: true, runtime, unbuiltImages };
}
