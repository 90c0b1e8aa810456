import { startChroma, type RunningService } from '@docuthinker/testing';
import { ChromaVectorIndex, chromaCollectionName } from '../src/retrieval/chroma-vector-index';
import { contractEmbedder, describeVectorIndexContract } from './support/vector-index-contract';

let chroma: RunningService;

beforeAll(async () => {
  chroma = await startChroma();
}, 60000);

afterAll(async () => {
  await chroma?.stop();
});

let collectionCounter = 0;
describeVectorIndexContract('Chroma server', async () =>
  ChromaVectorIndex.connect({
    url: chroma.url,
    embedding: contractEmbedder,
    collectionPrefix: `contract-${(collectionCounter += 1)}`,
  }),
);

describe('ChromaVectorIndex', () => {
  it('names one collection per embedding model and dimension', () => {
    expect(chromaCollectionName('docuthinker-chunks', 'docuthinker-hashing-v1-384', 384)).toBe(
      'docuthinker-chunks-docuthinker-hashing-v1-384-384',
    );
    expect(chromaCollectionName('x', 'text-embedding-3-small', 1536)).not.toBe(
      chromaCollectionName('x', 'text-embedding-3-small', 512),
    );
  });
});
