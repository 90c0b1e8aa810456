import { availableParallelism } from 'node:os';

/** V8's old-generation bound of each extraction worker, in MB. */
export const DEFAULT_HEAP_LIMIT_MB = 384;

/**
 * Memory kept beside the workers: the service's own heap and the upload
 * bodies it holds (up to four 25 MB bodies admitted at once, each copied once
 * more when a worker takes it), and the task's sidecars, which share its
 * memory (ECS Service Connect's proxy, the X-Ray daemon where tracing is on).
 */
const SERVICE_RESERVE_MIB = 512;

/**
 * What a worker takes at its peak beyond its heap bound: V8's young
 * generation and code, and an upload's buffers outside the heap (a DOCX's
 * inflated parts). Measured: a 15 MB DOCX whose document.xml inflates to
 * 50 MB raised the process's peak by about 400 MB, and one of random words
 * (less compressible, so the same bytes hold more text) by about 560 MB,
 * with workers bounded at a 384 MB heap.
 */
const WORKER_OVERHEAD_MIB = 192;

/**
 * How many extraction workers the service runs: one per core (2 to 4), as
 * many as fit in `memoryMiB` at their peak when that is known. Two workers
 * at their peak took a 1024 MiB process over its size (about 1,160 MiB),
 * which in an ECS task is the whole service killed for one account's two
 * uploads; at least one always runs.
 */
export function extractionWorkersFor(
  memoryMiB: number | undefined,
  heapLimitMb = DEFAULT_HEAP_LIMIT_MB,
  cores = availableParallelism(),
): number {
  const byCores = Math.min(4, Math.max(2, cores));
  if (memoryMiB === undefined) return byCores;
  const byMemory = Math.floor(
    (memoryMiB - SERVICE_RESERVE_MIB) / (heapLimitMb + WORKER_OVERHEAD_MIB),
  );
  return Math.max(1, Math.min(byCores, byMemory));
}
