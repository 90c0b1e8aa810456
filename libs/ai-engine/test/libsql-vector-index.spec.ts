import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddingMismatchError } from '../src/errors';
import { LibsqlVectorIndex } from '../src/retrieval/libsql-vector-index';
import { contractEmbedder, describeVectorIndexContract } from './support/vector-index-contract';

const dataDir = mkdtempSync(join(tmpdir(), 'ai-engine-libsql-vectors-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describeVectorIndexContract('embedded libSQL', async () =>
  LibsqlVectorIndex.open({ path: join(dataDir, 'contract.db'), embedding: contractEmbedder }),
);

describe('LibsqlVectorIndex', () => {
  it('records the embedding model and refuses another one on the same file', async () => {
    const path = join(dataDir, 'mismatch.db');
    await LibsqlVectorIndex.open({
      path,
      embedding: { model: 'model-a', dimensions: 384 },
    }).close();
    expect(() =>
      LibsqlVectorIndex.open({ path, embedding: { model: 'model-b', dimensions: 384 } }),
    ).toThrow(EmbeddingMismatchError);
    expect(() =>
      LibsqlVectorIndex.open({ path, embedding: { model: 'model-a', dimensions: 256 } }),
    ).toThrow(/model-a \(384 dimensions\).*model-a \(256 dimensions\)/);
  });

  it('keeps its data across reopening the file', async () => {
    const path = join(dataDir, 'durable.db');
    const first = LibsqlVectorIndex.open({ path, embedding: contractEmbedder });
    const [vector] = await contractEmbedder.embed(['durable text']);
    await first.replaceDocument('owner', 'doc', [
      {
        chunkId: 'doc#0-x',
        documentId: 'doc',
        ordinal: 0,
        text: 'durable text',
        embedding: vector as Float32Array,
      },
    ]);
    await first.close();
    const second = LibsqlVectorIndex.open({ path, embedding: contractEmbedder });
    expect(await second.countChunks('owner')).toBe(1);
    await second.close();
  });
});
