/** The memory a process may use, and what said so. */
export interface AvailableMemory {
  readonly mebibytes: number;
  readonly source: 'ecs-task-metadata' | 'cgroup';
}

export interface AvailableMemoryOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** How long the task metadata endpoint may take to answer. */
  readonly timeoutMs?: number;
  /** The cgroup's limit in bytes, as `process.constrainedMemory()` gives it. */
  readonly constrainedBytes?: number;
}

/**
 * The memory this process may use, in MiB, when something bounds it: the
 * ECS task's size from the task metadata endpoint (Fargate bounds the task,
 * and a container without a limit of its own shows no bound in its cgroup),
 * else its cgroup's limit. Undefined when nothing bounds it (a laptop), or
 * when neither can be read.
 */
export async function availableMemory(
  options: AvailableMemoryOptions = {},
): Promise<AvailableMemory | undefined> {
  const env = options.env ?? process.env;
  const metadataUri = env['ECS_CONTAINER_METADATA_URI_V4'];
  if (metadataUri) {
    const mebibytes = await taskMemoryMiB(metadataUri, options.timeoutMs ?? 1000);
    if (mebibytes !== undefined) return { mebibytes, source: 'ecs-task-metadata' };
  }
  const bytes = options.constrainedBytes ?? process.constrainedMemory();
  // Node reports an unbounded cgroup as 2^64 - 1 (or 0 where it cannot tell).
  if (bytes > 0 && bytes < Number.MAX_SAFE_INTEGER) {
    return { mebibytes: Math.floor(bytes / 2 ** 20), source: 'cgroup' };
  }
  return undefined;
}

/** `Limits.Memory` of the task metadata (v4) `/task` document, in MiB. */
async function taskMemoryMiB(metadataUri: string, timeoutMs: number): Promise<number | undefined> {
  try {
    const response = await fetch(`${metadataUri}/task`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return undefined;
    const task = (await response.json()) as { Limits?: { Memory?: unknown } } | null;
    const memory = task?.Limits?.Memory;
    return typeof memory === 'number' && Number.isFinite(memory) && memory > 0 ? memory : undefined;
  } catch {
    return undefined;
  }
}
