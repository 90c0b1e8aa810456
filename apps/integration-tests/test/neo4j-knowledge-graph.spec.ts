import { Neo4jKnowledgeGraph } from '@docuthinker/ai-engine';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the libs' contract suites are test code, outside their public API
import { describeKnowledgeGraphContract } from '../../../libs/ai-engine/test/support/knowledge-graph-contract';
import { requireTopology, topologyFor } from '../src/integration-suite';

const topology = topologyFor('Neo4j knowledge-graph contract suite (compose service neo4j)');

(topology ? describe : describe.skip)('Neo4j knowledge graph on the compose topology', () => {
  describeKnowledgeGraphContract('Neo4j (compose)', () =>
    Neo4jKnowledgeGraph.connect({ uri: requireTopology(topology).neo4jUri }),
  );
});
