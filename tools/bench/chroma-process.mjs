// A real Chroma server (npm chromadb CLI) for the retrieval benchmarks, on a
// free port with its own data directory; stopped by its PID (an npx wrapper
// would leave the server running).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, root } from './bench-support.mjs';
import { startInOrder, startProcess, stopChildProcess } from './process-support.mjs';

export async function startChroma() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'dt-bench-chroma-'));
  const child = spawn(
    process.execPath,
    [
      join(root, 'node_modules/chromadb/dist/cli.mjs'),
      'run',
      '--path',
      dir,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
    ],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChildProcess(child);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30000;
  for (;;) {
    if (Date.now() > deadline) {
      await stop();
      throw new Error('chroma did not become ready');
    }
    try {
      const response = await fetch(`${url}/api/v2/heartbeat`);
      await response.arrayBuffer();
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url, pid: child.pid, stop };
}

/**
 * A Chroma server and two gateway bundles with the same `env`: one on the
 * embedded store, one on that Chroma. Returned as [chroma, embedded, onChroma].
 */
export function startGatewaysOnBothStores(env) {
  const gateway = join(root, 'dist/apps/aiml-gateway/main.js');
  return startInOrder(
    () => startChroma(),
    () => startProcess(gateway, { env }),
    ([server]) => startProcess(gateway, { env: { ...env, DOCUTHINKER_CHROMA_URL: server.url } }),
  );
}
