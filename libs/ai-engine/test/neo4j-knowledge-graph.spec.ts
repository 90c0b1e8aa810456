import { Neo4jContainer, type StartedNeo4jContainer } from '@testcontainers/neo4j';
import { Neo4jKnowledgeGraph } from '../src/graph/neo4j-knowledge-graph';
import { announceSkipped, containerRuntimeUnavailableReason } from '@docuthinker/testing';
import { describeKnowledgeGraphContract } from './support/knowledge-graph-contract';

const unavailable = containerRuntimeUnavailableReason();

if (unavailable !== null) {
  // One visible line instead of a silent pass: this machine cannot run Neo4j.
  announceSkipped('Neo4j knowledge-graph contract suite', unavailable);
  describe.skip('KnowledgeGraph contract: Neo4j (testcontainers)', () => {
    it('needs a container runtime', () => undefined);
  });
} else {
  let container: StartedNeo4jContainer;

  beforeAll(async () => {
    container = await new Neo4jContainer('neo4j:5-community').start();
  }, 180000);

  afterAll(async () => {
    await container?.stop();
  });

  describeKnowledgeGraphContract('Neo4j (testcontainers)', async () => {
    const uri = new URL(container.getBoltUri());
    uri.username = container.getUsername();
    uri.password = container.getPassword();
    return Neo4jKnowledgeGraph.connect({ uri: uri.toString() });
  });
}
