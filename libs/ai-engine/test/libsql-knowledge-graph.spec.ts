import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LibsqlKnowledgeGraph } from '../src/graph/libsql-knowledge-graph';
import { describeKnowledgeGraphContract } from './support/knowledge-graph-contract';

const dataDir = mkdtempSync(join(tmpdir(), 'ai-engine-libsql-graph-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describeKnowledgeGraphContract('embedded libSQL', async () =>
  LibsqlKnowledgeGraph.open(join(dataDir, 'graph.db')),
);
