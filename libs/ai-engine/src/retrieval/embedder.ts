/**
 * The embedding port. The offline default is `HashingEmbedder`; a provider
 * embedding (OpenAI, Google) implements the same interface. Indexes record
 * `model` and `dimensions` and refuse vectors of another model.
 */
export interface Embedder {
  readonly model: string;
  readonly dimensions: number;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}
