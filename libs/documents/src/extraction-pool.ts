import { Worker } from 'node:worker_threads';
import { DocumentError } from './document-error';
import { ExtractionBusyError } from './extraction-busy-error';
import { DEFAULT_HEAP_LIMIT_MB, extractionWorkersFor } from './extraction-pool-size';
import type { DocumentLimits } from './document-limits';
import type { ExtractionReply, ExtractionRequest, WorkerReady } from './extraction-messages';
import type { DocumentInput, ExtractedDocument } from './extracted-document';

export interface ExtractionPoolOptions {
  /** The built JavaScript file whose body calls `serveExtractionRequests()`. */
  workerFile: string;
  /** Longest an upload may spend in its worker before the worker is stopped. */
  timeoutMs: number;
  /**
   * Worker threads kept; defaults to the core count, between 2 and 4. A
   * service whose memory is bounded sizes it with `extractionWorkersFor`.
   */
  size?: number;
  /**
   * Heap bound of each worker in MB (V8's old generation); a parse that
   * outgrows it stops that worker only. Defaults to 384.
   */
  heapLimitMb?: number;
  /**
   * Upload bytes that may wait for a worker; beyond it an upload is refused
   * with ExtractionBusyError at once rather than held in memory for as long
   * as the queue takes. An upload that finds the queue empty is always taken.
   * Defaults to 128 MB (five 25 MB uploads).
   */
  maxQueuedBytes?: number;
}

const DEFAULT_MAX_QUEUED_BYTES = 128 * 1024 * 1024;
/** What a refused upload is told: about one extraction's time on a typical file. */
const BUSY_RETRY_AFTER_SECONDS = 5;

/** Extracts uploads; `ExtractionPool` is the one that keeps parsers off the event loop. */
export interface DocumentExtractor {
  extract(input: DocumentInput, limits?: Partial<DocumentLimits>): Promise<ExtractedDocument>;
  close(): Promise<void>;
}

interface Job {
  readonly request: ExtractionRequest;
  resolve(document: ExtractedDocument): void;
  reject(error: Error): void;
}

interface PoolWorker {
  readonly thread: Worker;
  /** Set once the worker has loaded its parsers; only ready workers get uploads. */
  ready: boolean;
  job?: Job;
  timer?: NodeJS.Timeout;
}

/**
 * Text extraction in worker threads. pdf.js and the DOCX reader are
 * synchronous for long stretches, and a hostile file (a content stream that
 * inflates to millions of operators, say) keeps them busy for minutes: on the
 * event loop that would stall every other request of the service. Here each
 * upload runs in a worker; one that is still busy after `timeoutMs` of wall
 * time is terminated, which stops the parser wherever it is, and the upload
 * is refused with DT_ERR_EXTRACTION_TIMEOUT. Workers are started on first
 * use and kept, so the parsers' own start-up is paid once per worker, and
 * the bound runs only from when a ready worker takes the upload: neither a
 * queue nor a worker's start-up counts against the file. Memory is bounded
 * the same way: a worker whose heap outgrows `heapLimitMb` is stopped by V8
 * and its upload refused with DT_ERR_EXTRACTION_MEMORY, where on the event
 * loop the whole service would have run out of memory.
 */
export class ExtractionPool implements DocumentExtractor {
  private readonly size: number;
  private readonly workers = new Set<PoolWorker>();
  private readonly queue: Job[] = [];
  private queuedBytes = 0;
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: ExtractionPoolOptions) {
    this.size =
      options.size ?? extractionWorkersFor(undefined, options.heapLimitMb ?? DEFAULT_HEAP_LIMIT_MB);
  }

  extract(input: DocumentInput, limits: Partial<DocumentLimits> = {}): Promise<ExtractedDocument> {
    if (this.closed) return Promise.reject(new Error('the extraction pool is closed'));
    const bytes = input.bytes.byteLength;
    const maxQueuedBytes = this.options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
    if (this.queue.length > 0 && this.queuedBytes + bytes > maxQueuedBytes) {
      return Promise.reject(new ExtractionBusyError(BUSY_RETRY_AFTER_SECONDS));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ request: { id: this.nextId++, input, limits }, resolve, reject });
      this.queuedBytes += bytes;
      this.dispatch();
    });
  }

  /** Takes jobs off the queue, keeping the count of bytes waiting in step. */
  private dequeue(count = 1): Job[] {
    const jobs = this.queue.splice(0, count);
    for (const job of jobs) this.queuedBytes -= job.request.input.bytes.byteLength;
    return jobs;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.dequeue(this.queue.length)) {
      job.reject(new Error('the extraction pool is closed'));
    }
    const workers = [...this.workers];
    this.workers.clear();
    await Promise.all(
      workers.map(async (worker) => {
        clearTimeout(worker.timer);
        worker.job?.reject(new Error('the extraction pool is closed'));
        await worker.thread.terminate();
      }),
    );
  }

  private dispatch(): void {
    let starting = 0;
    for (const worker of this.workers) {
      if (!worker.ready) starting += 1;
      else if (!worker.job && this.queue.length > 0) this.run(worker, this.dequeue()[0] as Job);
    }
    const wanted = Math.min(this.queue.length - starting, this.size - this.workers.size);
    for (let started = 0; started < wanted; started += 1) this.startWorker();
  }

  private run(worker: PoolWorker, job: Job): void {
    worker.job = job;
    worker.timer = setTimeout(() => this.timedOut(worker), this.options.timeoutMs);
    worker.thread.postMessage(job.request);
  }

  private startWorker(): void {
    const thread = new Worker(this.options.workerFile, {
      resourceLimits: {
        maxOldGenerationSizeMb: this.options.heapLimitMb ?? DEFAULT_HEAP_LIMIT_MB,
      },
    });
    const worker: PoolWorker = { thread, ready: false };
    // An idle worker must not keep the process alive after the server closed.
    worker.thread.unref();
    worker.thread.on('message', (message: ExtractionReply | WorkerReady) => {
      if ('ready' in message) {
        worker.ready = true;
        this.dispatch();
      } else this.answered(worker, message);
    });
    worker.thread.on('error', (error) => this.lost(worker, error));
    worker.thread.on('exit', (code) =>
      this.lost(worker, new Error(`the extraction worker exited with code ${code}`)),
    );
    this.workers.add(worker);
  }

  private answered(worker: PoolWorker, reply: ExtractionReply): void {
    const job = worker.job;
    if (!job || job.request.id !== reply.id) return;
    this.release(worker);
    if (reply.ok) job.resolve(reply.document);
    else if (reply.documentError) {
      const { code, message, limit } = reply.documentError;
      job.reject(new DocumentError(code, message, limit === undefined ? {} : { limit }));
    } else job.reject(new Error(`text extraction failed: ${reply.message}`));
    this.dispatch();
  }

  private timedOut(worker: PoolWorker): void {
    const job = worker.job;
    this.discard(worker);
    job?.reject(
      new DocumentError(
        'DT_ERR_EXTRACTION_TIMEOUT',
        `Reading the document took longer than ${formatSeconds(this.options.timeoutMs)} and was stopped. ` +
          'The file may be damaged or built to exhaust the reader; saving it again from its application may help.',
      ),
    );
    void worker.thread.terminate();
    this.dispatch();
  }

  /**
   * A worker that crashed or exited on its own. If it had started, its
   * upload fails and a fresh worker takes over. If it never became ready
   * (a missing or broken worker file), the uploads waiting for it fail
   * instead: starting another at once would fail the same way, in a loop.
   */
  private lost(worker: PoolWorker, error: Error): void {
    if (!this.workers.has(worker)) return;
    const job = worker.job;
    this.discard(worker);
    if (!worker.ready) {
      const failure = new Error(`the extraction worker could not start: ${error.message}`);
      for (const waiting of this.dequeue(this.queue.length)) waiting.reject(failure);
      return;
    }
    job?.reject(
      isOutOfMemory(error)
        ? new DocumentError(
            'DT_ERR_EXTRACTION_MEMORY',
            'Reading the document needed more memory than an upload may use, and was stopped. ' +
              'The file may be damaged or built to exhaust the reader; splitting it or saving it again may help.',
            { cause: error },
          )
        : new Error(`the extraction worker stopped: ${error.message}`),
    );
    if (!this.closed) this.dispatch();
  }

  private release(worker: PoolWorker): void {
    clearTimeout(worker.timer);
    delete worker.job;
    delete worker.timer;
  }

  private discard(worker: PoolWorker): void {
    this.release(worker);
    this.workers.delete(worker);
  }
}

function isOutOfMemory(error: Error): boolean {
  return (error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toFixed(1))} s` : `${ms} ms`;
}
