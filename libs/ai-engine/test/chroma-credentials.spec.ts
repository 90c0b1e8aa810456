import { startChroma, type RunningService } from '@docuthinker/testing';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChromaVectorIndex } from '../src/retrieval/chroma-vector-index';
import { contractEmbedder, indexedChunks, vectorOf } from './support/vector-index-contract';

const EXPECTED = `Basic ${Buffer.from('admin:p@ss word').toString('base64')}`;

let chroma: RunningService;
let proxy: Server;
let proxyPort: number;
const seen = { allowed: 0, refused: 0 };

/** The test's Chroma behind a proxy that asks for Basic credentials, as one in front of it would. */
beforeAll(async () => {
  chroma = await startChroma();
  proxy = createServer((request, response) => {
    if (request.headers.authorization !== EXPECTED) {
      seen.refused += 1;
      response.writeHead(401, { 'www-authenticate': 'Basic realm="chroma"' }).end();
      return;
    }
    seen.allowed += 1;
    const body: Buffer[] = [];
    request.on('data', (chunk: Buffer) => body.push(chunk));
    request.on('end', () => {
      void fetch(new URL(request.url ?? '/', chroma.url), {
        method: request.method,
        headers: { 'content-type': 'application/json' },
        ...(body.length > 0 ? { body: Buffer.concat(body) } : {}),
      })
        .then(async (answer) => {
          response.writeHead(answer.status, { 'content-type': 'application/json' });
          response.end(Buffer.from(await answer.arrayBuffer()));
        })
        .catch(() => response.destroy());
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyPort = (proxy.address() as AddressInfo).port;
}, 60000);

afterAll(async () => {
  await new Promise<void>((resolve) => proxy?.close(() => resolve()));
  await chroma?.stop();
});

// Found in an exploratory test: the client took host and port from the URL
// and dropped its credentials, so every call went unauthenticated.
describe('ChromaVectorIndex with credentials in its URL', () => {
  it('sends them as Basic auth on every call, reads and writes included', async () => {
    const index = await ChromaVectorIndex.connect({
      url: `http://admin:p%40ss%20word@127.0.0.1:${proxyPort}`,
      embedding: contractEmbedder,
      collectionPrefix: 'basic-auth',
    });
    try {
      const chunks = await indexedChunks(
        'doc-1',
        'Tidal energy turns the motion of the sea into power.',
      );
      expect((await index.replaceDocument('owner-1', 'doc-1', chunks)).upserted).toBe(
        chunks.length,
      );
      const hits = await index.queryVector(
        { ownerId: 'owner-1', k: 3 },
        await vectorOf('tidal energy from the sea'),
      );
      expect(hits[0]?.documentId).toBe('doc-1');
      await index.ping();
    } finally {
      await index.close();
    }
    expect(seen.allowed).toBeGreaterThan(3);
    expect(seen.refused).toBe(0);
  });

  it('is refused by that proxy without them', async () => {
    await expect(
      ChromaVectorIndex.connect({
        url: `http://127.0.0.1:${proxyPort}`,
        embedding: contractEmbedder,
        collectionPrefix: 'basic-auth',
      }),
    ).rejects.toThrow();
    expect(seen.refused).toBeGreaterThan(0);
  });
});
