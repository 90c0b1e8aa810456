import { composeImages, composeVariables } from '../src/compose-topology';
import { probeContainerRuntime } from '../src/container-runtime-probe';
import { startFakeContainerEngine, startSilentSocket } from './fake-container-engine';

const STORES = ['mongo:7.0', 'redis:7.4'];
const SERVICES = ['docuthinker-backend:abc123', 'docuthinker-ai-ml:abc123'];
const LIMITS = { runtimeTimeoutMs: 5_000, pullTimeoutMs: 10_000 };

/** Runs `work` with DOCKER_HOST (and the host testcontainers reports) pointed at a fake engine. */
async function withDockerHost<T>(dockerHost: string, work: () => Promise<T>): Promise<T> {
  const saved = {
    DOCKER_HOST: process.env['DOCKER_HOST'],
    TESTCONTAINERS_HOST_OVERRIDE: process.env['TESTCONTAINERS_HOST_OVERRIDE'],
  };
  process.env['DOCKER_HOST'] = dockerHost;
  // Inside a container testcontainers would ask the engine for its bridge network.
  process.env['TESTCONTAINERS_HOST_OVERRIDE'] = '127.0.0.1';
  try {
    return await work();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

describe('the container runtime probe', () => {
  it('skips when the engine answers but its pulls leave no image (podman without a registry)', async () => {
    const engine = await startFakeContainerEngine([]);
    try {
      const result = await withDockerHost(engine.dockerHost, () =>
        probeContainerRuntime({ pulledImages: STORES, builtImages: SERVICES }, LIMITS),
      );
      expect(result).toEqual({
        available: false,
        reason: expect.stringMatching(/0\.0-fake.* cannot pull mongo:7\.0, redis:7\.4$/),
      });
      expect(engine.pullRequests.sort()).toEqual(STORES);
    } finally {
      await engine.close();
    }
  }, 30_000);

  it('runs when every store image is there, and lists the service images not built', async () => {
    const engine = await startFakeContainerEngine([...STORES, SERVICES[0] as string]);
    try {
      const result = await withDockerHost(engine.dockerHost, () =>
        probeContainerRuntime({ pulledImages: STORES, builtImages: SERVICES }, LIMITS),
      );
      expect(result).toEqual({
        available: true,
        runtime: expect.stringContaining('0.0-fake'),
        unbuiltImages: ['docuthinker-ai-ml:abc123'],
      });
      // Built images are looked up, never pulled.
      expect(engine.pullRequests).toEqual([]);
    } finally {
      await engine.close();
    }
  }, 30_000);

  it('skips within its limit when the engine never answers', async () => {
    const silent = await startSilentSocket();
    try {
      const started = Date.now();
      const result = await withDockerHost(silent.dockerHost, () =>
        probeContainerRuntime(
          { pulledImages: STORES, builtImages: SERVICES },
          { runtimeTimeoutMs: 1_000, pullTimeoutMs: 10_000 },
        ),
      );
      expect(result).toEqual({
        available: false,
        reason: expect.stringContaining('no answer within 1000 ms'),
      });
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await silent.close();
    }
  }, 30_000);

  it('kills a probe that outlives the deadline', async () => {
    const silent = await startSilentSocket();
    try {
      const started = Date.now();
      // A deadline shorter than the probe's own runtime timeout: only the kill can end it.
      const result = await withDockerHost(silent.dockerHost, () =>
        probeContainerRuntime(
          { pulledImages: STORES, builtImages: SERVICES },
          { runtimeTimeoutMs: 20_000, pullTimeoutMs: -17_000 },
        ),
      );
      expect(result).toEqual({
        available: false,
        reason: 'the container runtime did not find and pull mongo:7.0, redis:7.4 within 3 s',
      });
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await silent.close();
    }
  }, 30_000);
});

describe('the compose images', () => {
  it('come from docker/docker-compose.yml, the services tagged IMAGE_TAG', () => {
    const images = composeImages({ ...composeVariables(), IMAGE_TAG: 'abc123' });
    expect(images.services).toEqual(SERVICES);
    expect(images.stores).toHaveLength(4);
    for (const image of images.stores) expect(image).toMatch(/^[a-z0-9./-]+:[A-Za-z0-9._-]+$/);
    expect(images.stores.some((image) => image.startsWith('mongo:'))).toBe(true);
  });
});
