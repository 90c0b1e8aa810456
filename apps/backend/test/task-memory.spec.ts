import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServiceProcess, type ServiceProcess } from '@docuthinker/testing';

const BUNDLE = join(__dirname, '../../../dist/apps/backend/main.js');

describe('the extraction pool in an ECS task', () => {
  let metadata: Server;
  let backend: ServiceProcess | undefined;
  let dataDir: string;

  beforeAll(async () => {
    // The task metadata endpoint (v4) of a task of the seed's size.
    metadata = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ Limits: { CPU: 0.5, Memory: 1024 } }));
    });
    await new Promise<void>((resolve) => metadata.listen(0, '127.0.0.1', resolve));
    dataDir = mkdtempSync(join(tmpdir(), 'backend-task-memory-'));
  });
  afterAll(async () => {
    await backend?.stop('SIGKILL');
    metadata.closeAllConnections();
    await new Promise((resolve) => metadata.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs as many workers as the task memory holds at their peak: one in 1024 MiB', async () => {
    const { port } = metadata.address() as AddressInfo;
    backend = await startServiceProcess(BUNDLE, {
      NODE_ENV: 'development',
      DOCUTHINKER_DATA_DIR: dataDir,
      DOCUTHINKER_LOG_LEVEL: 'info',
      ECS_CONTAINER_METADATA_URI_V4: `http://127.0.0.1:${port}/v4/backend`,
    });
    const sized = backend
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line['msg'] === 'extraction pool sized');
    expect(sized).toEqual(
      expect.objectContaining({
        memory: { mebibytes: 1024, source: 'ecs-task-metadata' },
        extractionWorkers: 1,
      }),
    );
  });
});
