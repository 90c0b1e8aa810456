import { GATEWAY_API } from '@docuthinker/contracts';
import { HashingEmbedder, type Embedder } from '@docuthinker/ai-engine';
import { asService, startTestGateway, type TestGateway } from './support/test-gateway';

/** The offline embedder, except that while `hang` is set it waits for its caller to leave. */
class HangingEmbedder implements Embedder {
  readonly model: string;
  readonly dimensions: number;
  hang = false;
  /** Runs when a call starts to hang: the test's client leaves then, not after a timer. */
  onHang: () => void = () => undefined;
  /** Calls that hung, and whether their caller's signal then aborted. */
  readonly calls: Array<{ aborted: boolean }> = [];
  private readonly inner = new HashingEmbedder(384);

  constructor() {
    this.model = this.inner.model;
    this.dimensions = this.inner.dimensions;
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    if (!this.hang) return this.inner.embed(texts);
    const call = { aborted: false };
    this.calls.push(call);
    const hanging = new Promise<Float32Array[]>((_resolve, reject) => {
      signal?.addEventListener('abort', () => {
        call.aborted = true;
        reject(Object.assign(new Error('the caller left'), { name: 'AbortError' }));
      });
    });
    this.onHang();
    return hanging;
  }
}

// Found in review: index, search, ask and chat passed no signal on, so a
// provider call went on (and was paid for) after the client had gone.
describe('retrieval routes when the client leaves', () => {
  const embedder = new HangingEmbedder();
  let gateway: TestGateway;
  let origin: string;

  beforeAll(async () => {
    gateway = await startTestGateway({ engine: { embedder }, captureLogs: true });
    origin = await gateway.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => gateway?.close());

  it.each([
    [
      GATEWAY_API.index,
      { ownerId: 'alice', documentId: 'd1', title: 'Harbour', text: 'Cranes need cables.' },
    ],
    [GATEWAY_API.search, { ownerId: 'alice', query: 'cables' }],
    [GATEWAY_API.ask, { ownerId: 'alice', question: 'What do the cranes need?' }],
    [
      GATEWAY_API.chat,
      {
        ownerId: 'alice',
        stream: true,
        messages: [{ role: 'user', content: 'What do the cranes need?' }],
      },
    ],
  ])('%s cancels the provider call it was waiting on', async (path, body) => {
    embedder.hang = true;
    const before = embedder.calls.length;
    // The client leaves once the provider call is under way, however long the
    // request took to get there on a loaded machine.
    const client = new AbortController();
    embedder.onHang = () => client.abort();
    try {
      await expect(
        fetch(`${origin}${path}`, {
          method: 'POST',
          headers: { ...asService, 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: client.signal,
        }),
      ).rejects.toThrow();
      const deadline = Date.now() + 5000;
      while (embedder.calls.at(-1)?.aborted !== true && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(embedder.calls.length).toBe(before + 1);
      expect(embedder.calls.at(-1)).toEqual({ aborted: true });
    } finally {
      embedder.hang = false;
      embedder.onHang = () => undefined;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(gateway.logs().filter((line) => line.level >= 50)).toEqual([]);
  });
});
