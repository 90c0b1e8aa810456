import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableMemory } from '../src/available-memory';

const UNBOUNDED = 2 ** 64 - 1;
const MIB = 2 ** 20;

/** A task metadata endpoint (v4) answering with `listener`. */
async function metadataEndpoint(
  listener: RequestListener,
): Promise<{ uri: string; server: Server }> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { uri: `http://127.0.0.1:${port}/v4/container-id`, server };
}

describe('availableMemory', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
  const endpoint = async (listener: RequestListener) => {
    const { uri, server } = await metadataEndpoint(listener);
    servers.push(server);
    return uri;
  };

  it("takes the ECS task's memory from its metadata, whatever the container's cgroup says", async () => {
    const paths: string[] = [];
    const uri = await endpoint((req, res) => {
      paths.push(req.url ?? '');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ Cluster: 'c', Limits: { CPU: 0.5, Memory: 1024 } }));
    });
    await expect(
      availableMemory({
        env: { ECS_CONTAINER_METADATA_URI_V4: uri },
        constrainedBytes: UNBOUNDED,
      }),
    ).resolves.toEqual({ mebibytes: 1024, source: 'ecs-task-metadata' });
    expect(paths).toEqual(['/v4/container-id/task']);
  });

  const unusableAnswers: Array<[string, RequestListener]> = [
    [
      'an error status',
      (_req, res) => {
        res.statusCode = 500;
        res.end();
      },
    ],
    ['a body that is not JSON', (_req, res) => res.end('<html>')],
    ['no memory limit', (_req, res) => res.end(JSON.stringify({ Limits: { CPU: 0.5 } }))],
    [
      'a memory that is no number',
      (_req, res) => res.end(JSON.stringify({ Limits: { Memory: '1024' } })),
    ],
  ];
  it.each(unusableAnswers)(
    'falls back to the cgroup when the metadata gives %s',
    async (_case, answer) => {
      const uri = await endpoint(answer);
      await expect(
        availableMemory({
          env: { ECS_CONTAINER_METADATA_URI_V4: uri },
          constrainedBytes: 768 * MIB,
        }),
      ).resolves.toEqual({ mebibytes: 768, source: 'cgroup' });
    },
  );

  it('does not wait on a metadata endpoint that never answers', async () => {
    const uri = await endpoint(() => undefined);
    const started = performance.now();
    await expect(
      availableMemory({
        env: { ECS_CONTAINER_METADATA_URI_V4: uri },
        timeoutMs: 100,
        constrainedBytes: UNBOUNDED,
      }),
    ).resolves.toBeUndefined();
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it("reads the cgroup's limit outside ECS, and nothing where none bounds the process", async () => {
    await expect(availableMemory({ env: {}, constrainedBytes: 2048 * MIB })).resolves.toEqual({
      mebibytes: 2048,
      source: 'cgroup',
    });
    await expect(
      availableMemory({ env: {}, constrainedBytes: UNBOUNDED }),
    ).resolves.toBeUndefined();
    await expect(availableMemory({ env: {}, constrainedBytes: 0 })).resolves.toBeUndefined();
  });
});
