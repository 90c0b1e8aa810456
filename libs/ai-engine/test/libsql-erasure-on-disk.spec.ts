import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LibsqlKnowledgeGraph } from '../src/graph/libsql-knowledge-graph';
import { LibsqlVectorIndex } from '../src/retrieval/libsql-vector-index';
import { contractEmbedder, indexedChunks } from './support/vector-index-contract';

/**
 * What a removal leaves on disk, read as raw bytes: the database, its WAL and
 * its shared-memory index. Freed pages, unused space in live pages and old
 * WAL frames all keep removed rows readable unless the store zeroes them
 * (secure_delete) and checkpoints the WAL away on close.
 */

/** Files in `dir` (not descending) whose bytes hold `marker`. */
function filesHolding(dir: string, marker: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .filter((entry) => readFileSync(join(dir, entry.name)).toString('latin1').includes(marker))
    .map((entry) => entry.name);
}

function residue(dir: string, markers: readonly string[]): Record<string, string[]> {
  return Object.fromEntries(markers.map((marker) => [marker, filesHolding(dir, marker)]));
}

function nowhere(markers: readonly string[]): Record<string, string[]> {
  return Object.fromEntries(markers.map((marker) => [marker, []]));
}

function expectOnDisk(dir: string, markers: readonly string[]): void {
  // Before the removal: the check after it would otherwise prove nothing.
  for (const files of Object.values(residue(dir, markers))) expect(files).not.toEqual([]);
}

describe('embedded libSQL stores of the gateway: removed data is gone from the files on disk', () => {
  const root = mkdtempSync(join(tmpdir(), 'ai-engine-erasure-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("leaves no text of a removed document's chunks in the vector index's db, -wal or -shm", async () => {
    const dataDir = mkdtempSync(join(root, 'vectors-'));
    const path = join(dataDir, 'vectors.db');
    const index = LibsqlVectorIndex.open({ path, embedding: contractEmbedder });
    const kept = await indexedChunks('kept', 'Revenue grew in every region this year.');
    const doomed = await indexedChunks(
      'doomed',
      'Private notes about KIMCHUNKMARKER and its plans. '.repeat(100),
    );
    await index.replaceDocument('owner-1', 'kept', kept);
    await index.replaceDocument('owner-1', 'doomed', doomed);
    const markers = ['KIMCHUNKMARKER'];
    expectOnDisk(dataDir, markers);

    expect((await index.removeDocument('owner-1', 'doomed')).removed).toBe(doomed.length);
    await index.close();

    expect(residue(dataDir, markers)).toEqual(nowhere(markers));
    const reopened = LibsqlVectorIndex.open({ path, embedding: contractEmbedder });
    try {
      expect(await reopened.countChunks('owner-1')).toBe(kept.length);
    } finally {
      await reopened.close();
    }
  });

  it("leaves no chunk text of an erased owner in the vector index's files", async () => {
    const dataDir = mkdtempSync(join(root, 'vector-owner-'));
    const index = LibsqlVectorIndex.open({
      path: join(dataDir, 'vectors.db'),
      embedding: contractEmbedder,
    });
    await index.replaceDocument('owner-2', 'other', await indexedChunks('other', 'Other text.'));
    for (const documentId of ['a', 'b']) {
      await index.replaceDocument(
        'owner-1',
        documentId,
        await indexedChunks(documentId, `Owner secrets KIMOWNERMARKER ${documentId}. `.repeat(50)),
      );
    }
    const markers = ['KIMOWNERMARKER'];
    expectOnDisk(dataDir, markers);

    await index.removeOwner('owner-1');
    expect(await index.countChunks('owner-2')).toBe(1);
    await index.close();

    expect(residue(dataDir, markers)).toEqual(nowhere(markers));
  });

  it("leaves no title or entity name of a removed document in the graph's db, -wal or -shm", async () => {
    const dataDir = mkdtempSync(join(root, 'graph-'));
    const path = join(dataDir, 'graph.db');
    const graph = LibsqlKnowledgeGraph.open(path);
    const entity = (key: string, name: string) => ({
      key,
      name,
      type: 'organization' as const,
      mentions: 1,
    });
    await graph.replaceDocument({
      ownerId: 'owner-1',
      documentId: 'kept',
      title: 'Quarterly report',
      entities: [entity('acme', 'Acme')],
      coOccurrences: [],
    });
    await graph.replaceDocument({
      ownerId: 'owner-1',
      documentId: 'doomed',
      title: 'KIMTITLEMARKER plans',
      entities: [entity('acme', 'Acme'), entity('kimentitymarker', 'KIMENTITYMARKER Ltd')],
      coOccurrences: [{ a: 'acme', b: 'kimentitymarker', weight: 1 }],
    });
    const markers = ['KIMTITLEMARKER', 'KIMENTITYMARKER', 'kimentitymarker'];
    expectOnDisk(dataDir, markers);

    await graph.removeDocument('owner-1', 'doomed');
    await graph.close();

    expect(residue(dataDir, markers)).toEqual(nowhere(markers));
    const reopened = LibsqlKnowledgeGraph.open(path);
    try {
      expect(await reopened.stats('owner-1')).toMatchObject({ documents: 1, entities: 1 });
    } finally {
      await reopened.close();
    }
  });

  it("leaves no title of an erased owner in the graph's files", async () => {
    const dataDir = mkdtempSync(join(root, 'graph-owner-'));
    const graph = LibsqlKnowledgeGraph.open(join(dataDir, 'graph.db'));
    for (const documentId of ['a', 'b']) {
      await graph.replaceDocument({
        ownerId: 'owner-1',
        documentId,
        title: `KIMOWNERTITLEMARKER ${documentId}`,
        entities: [],
        coOccurrences: [],
      });
    }
    const markers = ['KIMOWNERTITLEMARKER'];
    expectOnDisk(dataDir, markers);

    await graph.removeOwner('owner-1');
    await graph.close();

    expect(residue(dataDir, markers)).toEqual(nowhere(markers));
  });
});
