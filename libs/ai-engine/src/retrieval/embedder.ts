/**
 * The embedding port. The offline default is `HashingEmbedder`; a provider
 * embedding (OpenAI, Google) implements the same interface. Indexes record
 * `model` and `dimensions` and refuse vectors of another model.
 */
export interface Embedder {
  readonly model: string;
  readonly dimensions: number;
  /**
   * `signal`: the caller went away; a provider call is then cancelled and
   * the promise rejects with ClientAbortedError (an offline embedder may
   * ignore it, having nothing to wait for).
   */
  embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]>;
}
