import { randomUUID } from 'node:crypto';
import { ChromaVectorIndex } from '@docuthinker/ai-engine';
/* eslint-disable @nx/enforce-module-boundaries -- the libs' contract suites are test code, outside their public API */
import {
  contractEmbedder,
  describeVectorIndexContract,
} from '../../../libs/ai-engine/test/support/vector-index-contract';
/* eslint-enable @nx/enforce-module-boundaries */
import { requireTopology, topologyFor } from '../src/integration-suite';

const topology = topologyFor('Chroma vector-index contract suite (compose service chroma)');

(topology ? describe : describe.skip)('Chroma vector index on the compose topology', () => {
  describeVectorIndexContract('Chroma (compose)', () =>
    ChromaVectorIndex.connect({
      url: requireTopology(topology).chromaUrl,
      embedding: contractEmbedder,
      // A collection of its own, apart from the one the gateway writes.
      collectionPrefix: `contract-${randomUUID().slice(0, 8)}`,
    }),
  );
});
