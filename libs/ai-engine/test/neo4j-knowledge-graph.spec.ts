import { Neo4jContainer, type StartedNeo4jContainer } from '@testcontainers/neo4j';
import { Neo4jKnowledgeGraph } from '../src/graph/neo4j-knowledge-graph';
import { containerRuntimeLocation } from './support/container-runtime';
import { describeKnowledgeGraphContract } from './support/knowledge-graph-contract';

const runtime = containerRuntimeLocation();

if (runtime === undefined) {
  // One visible line instead of a silent pass: this machine cannot run Neo4j.
  process.stdout.write(
    'SKIPPED (no container runtime): Neo4j knowledge-graph contract suite (no DOCKER_HOST, Docker or Podman socket)\n',
  );
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
