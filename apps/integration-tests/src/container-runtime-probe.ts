import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
// The socket check every testcontainers suite of the workspace shares (in
// libs/testing); the probe below goes further. A relative path, because jest
// loads globalSetup (this file's caller) without the workspace's path aliases.
// eslint-disable-next-line @nx/enforce-module-boundaries -- see above
import { containerRuntimeUnavailableReason } from '../../../libs/testing/src/container-runtime';
import {
  PROBE_REQUEST_ENV,
  PROBE_RESULT_PREFIX,
  type ProbeRequest,
  type ProbeResult,
} from './probe-protocol';
import { WORKSPACE_ROOT } from './workspace';

export interface ProbeLimits {
  /** For testcontainers to find and query an engine. */
  readonly runtimeTimeoutMs: number;
  /** For pulling every store image (a first pull of Neo4j and MongoDB is a few hundred MB). */
  readonly pullTimeoutMs: number;
}

/**
 * Whether a container runtime here can run the topology, decided by trying
 * it: first the workspace's socket check (instant when there is nothing to
 * talk to), then testcontainers' own runtime resolution and a pull of every
 * store image, in a child process killed at the deadline, so a runtime that
 * hangs costs at most the limits and leaves no request or socket open here.
 */
export async function probeContainerRuntime(
  images: Pick<ProbeRequest, 'pulledImages' | 'builtImages'>,
  limits: ProbeLimits,
): Promise<ProbeResult> {
  const noSocket = containerRuntimeUnavailableReason();
  if (noSocket) return { available: false, reason: noSocket };

  const request: ProbeRequest = { ...images, runtimeTimeoutMs: limits.runtimeTimeoutMs };
  const deadlineMs = limits.runtimeTimeoutMs + limits.pullTimeoutMs;
  const probe = spawn(
    process.execPath,
    ['-r', '@swc-node/register', join(__dirname, 'probe-main.ts')],
    {
      cwd: WORKSPACE_ROOT,
      env: {
        ...process.env,
        SWC_NODE_PROJECT: join(WORKSPACE_ROOT, 'tsconfig.base.json'),
        [PROBE_REQUEST_ENV]: JSON.stringify(request),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  probe.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  probe.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let timedOut = false;
  const deadline = setTimeout(() => {
    timedOut = true;
    probe.kill('SIGKILL');
  }, deadlineMs);
  const [status, signal] = (await once(probe, 'close')) as [number | null, NodeJS.Signals | null];
  clearTimeout(deadline);

  if (timedOut) {
    return {
      available: false,
      reason: `the container runtime did not find and pull ${images.pulledImages.join(', ')} within ${Math.round(deadlineMs / 1000)} s`,
    };
  }
  const answer = stdout
    .split('\n')
    .find((line) => line.startsWith(PROBE_RESULT_PREFIX))
    ?.slice(PROBE_RESULT_PREFIX.length);
  if (answer === undefined) {
    // A probe that crashed is a bug to fix, not a missing runtime to skip over.
    throw new Error(
      `the container runtime probe exited ${status ?? signal} without an answer:\n${stderr}`,
    );
  }
  return JSON.parse(answer) as ProbeResult;
}
