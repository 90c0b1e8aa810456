import type { GatewayConfig } from '@docuthinker/config';
import type { DependencyCheck } from '@docuthinker/runtime';
import { access, mkdir } from 'node:fs/promises';
import { constants } from 'node:fs';

export interface DependencyProbes {
  checks: DependencyCheck[];
  close(): Promise<void>;
}

function writableDirectory(name: string, dir: string): DependencyCheck {
  return {
    name,
    check: async () => {
      await mkdir(dir, { recursive: true });
      await access(dir, constants.W_OK);
    },
  };
}

/** Neo4j driver wants credentials apart from the URI; the secret carries them inside it. */
async function neo4jDriverFor(uri: string) {
  const { default: neo4j } = await import('neo4j-driver');
  const url = new URL(uri);
  const auth = url.username
    ? neo4j.auth.basic(decodeURIComponent(url.username), decodeURIComponent(url.password))
    : undefined;
  url.username = '';
  url.password = '';
  return neo4j.driver(url.toString(), auth, { connectionTimeout: 1500 });
}

/**
 * Readiness probes for the stores the gateway syncs to: Chroma and Neo4j
 * when configured, the embedded data directory otherwise.
 */
export async function createDependencyProbes(config: GatewayConfig): Promise<DependencyProbes> {
  const checks: DependencyCheck[] = [];
  const closers: (() => Promise<unknown>)[] = [];

  if (config.syncVector) {
    if (config.chromaUrl) {
      const heartbeat = new URL('/api/v2/heartbeat', config.chromaUrl).toString();
      checks.push({
        name: 'chroma',
        check: async () => {
          const response = await fetch(heartbeat, { signal: AbortSignal.timeout(1500) });
          if (!response.ok) throw new Error(`heartbeat answered ${response.status}`);
        },
      });
    } else {
      checks.push(writableDirectory('embedded-vector-index', config.chromaDir));
    }
  }
  if (config.syncGraph) {
    if (config.neo4jUri) {
      const driver = await neo4jDriverFor(config.neo4jUri);
      checks.push({ name: 'neo4j', check: async () => void (await driver.getServerInfo()) });
      closers.push(() => driver.close());
    } else {
      checks.push(writableDirectory('embedded-graph', config.dataDir));
    }
  }
  return {
    checks,
    close: async () => {
      await Promise.allSettled(closers.map((close) => close()));
    },
  };
}
