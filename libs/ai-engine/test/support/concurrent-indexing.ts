import type { VectorIndex } from '../../src/retrieval/vector-index';
import type { RetrievalService } from '../../src/service/retrieval-service';
import { corpusText } from './corpus';

/**
 * Writes to one document that arrive at once (two re-indexes with different
 * texts, an index and a delete) must end as if they ran one after the other,
 * in the order they were called: never both versions, never a deleted
 * document's chunks left behind.
 */
export function describeConcurrentIndexing(
  name: string,
  open: () => Promise<{
    service: RetrievalService;
    vectorIndex: VectorIndex;
    close: () => Promise<void>;
  }>,
): void {
  describe(`concurrent writes to one document (${name})`, () => {
    let service: RetrievalService;
    let vectorIndex: VectorIndex;
    let close: () => Promise<void> = async () => undefined;
    const apache = corpusText('apache-2.0');
    const bsd = corpusText('bsd');

    beforeAll(async () => {
      ({ service, vectorIndex, close } = await open());
    }, 60000);

    afterAll(() => close());

    it('two re-indexes with different texts leave only the later one', async () => {
      const [, later] = await Promise.all([
        service.index({ ownerId: 'racer', documentId: 'doc', title: 'A', text: apache }),
        service.index({ ownerId: 'racer', documentId: 'doc', title: 'B', text: bsd }),
      ]);
      expect(await vectorIndex.countChunks('racer', 'doc')).toBe(later.chunks);
      const { hits } = await service.search({
        ownerId: 'racer',
        query: 'patent license grant contributor',
        mode: 'lexical',
      });
      expect(hits.filter((hit) => hit.text.includes('Apache'))).toEqual([]);
    }, 60000);

    it('an index followed at once by a delete leaves nothing', async () => {
      await Promise.all([
        service.index({ ownerId: 'racer', documentId: 'gone', title: 'A', text: apache }),
        service.remove('racer', 'gone'),
      ]);
      expect(await vectorIndex.countChunks('racer', 'gone')).toBe(0);
    }, 60000);

    it('a delete followed at once by an index leaves the new version', async () => {
      await service.index({ ownerId: 'racer', documentId: 'back', title: 'A', text: apache });
      const [, indexed] = await Promise.all([
        service.remove('racer', 'back'),
        service.index({ ownerId: 'racer', documentId: 'back', title: 'B', text: bsd }),
      ]);
      expect(await vectorIndex.countChunks('racer', 'back')).toBe(indexed.chunks);
    }, 60000);

    // Found in review: an erasure called while the owner's documents were
    // being indexed ran first, and the writes then put them back.
    it("an owner's erasure called while its documents are indexed leaves nothing of the owner", async () => {
      const writes = Promise.all([
        service.index({ ownerId: 'erased', documentId: 'one', title: 'A', text: apache }),
        service.index({ ownerId: 'erased', documentId: 'two', title: 'B', text: bsd }),
      ]);
      const erasure = await service.removeOwner('erased');
      await writes;
      expect(erasure.vector.documents).toBe(2);
      expect(await vectorIndex.countChunks('erased', 'one')).toBe(0);
      expect(await vectorIndex.countChunks('erased', 'two')).toBe(0);
      if (service.graphEnabled) expect(await service.topEntities('erased')).toEqual([]);
    }, 60000);
  });
}
