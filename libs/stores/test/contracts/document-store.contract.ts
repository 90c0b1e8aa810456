import type { DocumentMetadata } from '../../src/ports/document-store';
import { DuplicateIdError, InvalidCursorError } from '../../src/shared/errors';
import { newOwnerId, sampleDocument } from '../support/sample-documents';
import { useDataStores, type OpenDataStores } from './data-stores-factory';

export function documentStoreContract(open: OpenDataStores): void {
  describe('DocumentStore contract', () => {
    const subject = useDataStores(open);
    const documents = () => subject.stores().documents;
    const outbox = () => subject.stores().outbox;

    async function drainJobs() {
      const jobs = [];
      for (let job = await outbox().claim({ leaseMs: 60_000 }); job;) {
        jobs.push(job);
        await outbox().complete(job);
        job = await outbox().claim({ leaseMs: 60_000 });
      }
      return jobs;
    }

    it('saves a document as pending together with its index job', async () => {
      const owner = newOwnerId();
      const created = await documents().create(sampleDocument(owner));
      expect(created.indexStatus).toBe('pending');
      expect(created.createdAt).toEqual(subject.clock().now());
      expect(await documents().get(owner, created.id)).toEqual(created);
      expect(await outbox().pendingCounts()).toEqual({ index: 1, delete: 0, purge: 0 });
      const job = await outbox().claim({ leaseMs: 1000 });
      expect(job).toMatchObject({ kind: 'index', ownerId: owner, documentId: created.id });
    });

    it('keeps optional fields absent when they were not given', async () => {
      const owner = newOwnerId();
      const created = await documents().create(
        sampleDocument(owner, { pages: undefined, html: undefined }),
      );
      expect(created).not.toHaveProperty('pages');
      expect(created).not.toHaveProperty('html');
      const stored = await documents().get(owner, created.id);
      expect(stored).not.toHaveProperty('pages');
      expect(stored).not.toHaveProperty('html');
    });

    it('writes document and index job atomically: a failed insert leaves neither', async () => {
      const owner = newOwnerId();
      const intruder = newOwnerId();
      const original = await documents().create(sampleDocument(owner, { title: 'Original' }));
      await drainJobs();

      await expect(
        documents().create(sampleDocument(intruder, { id: original.id, title: 'Impostor' })),
      ).rejects.toBeInstanceOf(DuplicateIdError);

      expect(await outbox().pendingCounts()).toEqual({ index: 0, delete: 0, purge: 0 });
      expect(await documents().get(owner, original.id)).toEqual(original);
      expect(await documents().get(intruder, original.id)).toBeNull();
      expect(await documents().count(intruder)).toBe(0);
    });

    it('treats another owner’s document as not found on every method', async () => {
      const owner = newOwnerId();
      const other = newOwnerId();
      const mine = await documents().create(
        sampleDocument(owner, { title: 'Private ledger', text: 'confidential zebra figures' }),
      );
      await drainJobs();

      expect(await documents().get(other, mine.id)).toBeNull();
      expect(await documents().update(other, mine.id, { title: 'Hijacked' })).toBeNull();
      expect(await documents().setIndexStatus(other, mine.id, 'failed')).toBe(false);
      expect(await documents().delete(other, mine.id)).toBeNull();
      expect(await documents().list(other, { limit: 10 })).toEqual({ items: [], nextCursor: null });
      expect(await documents().count(other)).toBe(0);
      expect(await documents().searchTitles(other, 'ledger')).toEqual([]);
      expect(await documents().searchContent(other, 'zebra')).toEqual([]);
      expect(await documents().deleteAllForOwner(other)).toEqual({ count: 0, fileKeys: [] });
      expect(await documents().requeueIndexing({ ownerId: other })).toBe(0);

      expect(await documents().get(owner, mine.id)).toEqual(mine);
      expect(await outbox().pendingCounts()).toEqual({ index: 0, delete: 0, purge: 0 });
      expect(await documents().searchContent(owner, 'zebra')).toHaveLength(1);
    });

    it('updates title and summary, and search follows the new title', async () => {
      const owner = newOwnerId();
      const created = await documents().create(sampleDocument(owner, { title: 'Draft plan' }));
      const updated = await documents().update(owner, created.id, {
        title: 'Final roadmap',
        summary: 'A better summary.',
        summaryDegraded: true,
      });
      expect(updated).toMatchObject({
        id: created.id,
        title: 'Final roadmap',
        summary: 'A better summary.',
        summaryDegraded: true,
      });
      expect(updated).not.toHaveProperty('text');
      expect(await documents().searchTitles(owner, 'roadmap')).toHaveLength(1);
      expect(await documents().searchTitles(owner, 'draft')).toEqual([]);
      expect(await documents().setIndexStatus(owner, created.id, 'indexed')).toBe(true);
      expect((await documents().get(owner, created.id))?.indexStatus).toBe('indexed');
    });

    it('marks indexed only the title that was indexed, once given it: a rename since wins', async () => {
      const owner = newOwnerId();
      const created = await documents().create(sampleDocument(owner, { title: 'First title' }));
      // An index job sent "First title"; the document was renamed while it ran.
      await documents().update(owner, created.id, { title: 'Second title' });
      expect(await documents().setIndexStatus(owner, created.id, 'indexed', 'First title')).toBe(
        false,
      );
      expect((await documents().get(owner, created.id))?.indexStatus).toBe('pending');
      expect(await documents().setIndexStatus(owner, created.id, 'indexed', 'Second title')).toBe(
        true,
      );
      expect((await documents().get(owner, created.id))?.indexStatus).toBe('indexed');
      // Still scoped by owner.
      expect(
        await documents().setIndexStatus(newOwnerId(), created.id, 'failed', 'Second title'),
      ).toBe(false);
    });

    it('re-indexes a renamed document: pending again, with an index job in the same write', async () => {
      const owner = newOwnerId();
      const created = await documents().create(sampleDocument(owner, { title: 'Old name' }));
      await drainJobs();
      await documents().setIndexStatus(owner, created.id, 'indexed');

      const sameTitle = await documents().update(owner, created.id, {
        title: 'Old name',
        summary: 'Only the summary changed.',
      });
      expect(sameTitle).toMatchObject({ title: 'Old name', indexStatus: 'indexed' });
      expect(await documents().update(owner, created.id, { summaryDegraded: false })).toMatchObject(
        {
          indexStatus: 'indexed',
        },
      );
      expect(await outbox().pendingCounts()).toEqual({ index: 0, delete: 0, purge: 0 });

      const renamed = await documents().update(owner, created.id, {
        title: 'New name',
        summary: 'Renamed too.',
      });
      expect(renamed).toMatchObject({
        title: 'New name',
        summary: 'Renamed too.',
        indexStatus: 'pending',
      });
      expect(await outbox().pendingCounts()).toEqual({ index: 1, delete: 0, purge: 0 });
      const job = await outbox().claim({ leaseMs: 60_000 });
      expect(job).toMatchObject({ kind: 'index', ownerId: owner, documentId: created.id });
      if (job) await outbox().complete(job);

      // Another owner's rename of this id changes nothing and queues nothing.
      expect(await documents().update(newOwnerId(), created.id, { title: 'Hijacked' })).toBeNull();
      expect(await outbox().pendingCounts()).toEqual({ index: 0, delete: 0, purge: 0 });
      expect((await documents().get(owner, created.id))?.title).toBe('New name');
    });

    // Found in an exploratory test: thirty renames of a 2 MB document queued
    // thirty re-indexes of the same text, and every other owner's jobs, their
    // deletions and account erasures too, waited 50 s behind them.
    it('queues one index job for renames in a row while it waits, and one more once it is taken', async () => {
      const owner = newOwnerId();
      const created = await documents().create(sampleDocument(owner, { title: 'Name 0' }));
      await drainJobs();
      for (let rename = 1; rename <= 5; rename += 1)
        await documents().update(owner, created.id, { title: `Name ${rename}` });
      expect(await outbox().pendingCounts()).toEqual({ index: 1, delete: 0, purge: 0 });

      const running = await outbox().claim({ leaseMs: 60_000 });
      expect(running).toMatchObject({ kind: 'index', documentId: created.id });
      // Renamed while its job runs: that job may have read the old title.
      await documents().update(owner, created.id, { title: 'Name 6' });
      await documents().update(owner, created.id, { title: 'Name 7' });
      expect(await outbox().pendingCounts()).toEqual({ index: 2, delete: 0, purge: 0 });
      if (running) await outbox().complete(running);
      expect(await drainJobs()).toEqual([
        expect.objectContaining({ kind: 'index', documentId: created.id }),
      ]);

      // Requeuing or renaming a document whose index job waits queues nothing more.
      const other = await documents().create(sampleDocument(owner, { title: 'Other' }));
      await documents().requeueIndexing({ ownerId: owner });
      expect(await outbox().pendingCounts()).toEqual({ index: 2, delete: 0, purge: 0 });
      await documents().update(owner, other.id, { title: 'Other, renamed' });
      expect(await outbox().pendingCounts()).toEqual({ index: 2, delete: 0, purge: 0 });
    });

    it('pages newest first, stable across equal timestamps and concurrent inserts', async () => {
      const owner = newOwnerId();
      const created: DocumentMetadata[] = [];
      for (let index = 0; index < 4; index += 1) {
        created.push(await documents().create(sampleDocument(owner, { title: `early ${index}` })));
      }
      subject.clock().advance(1000);
      for (let index = 0; index < 5; index += 1) {
        created.push(await documents().create(sampleDocument(owner, { title: `late ${index}` })));
      }
      await documents().create(sampleDocument(newOwnerId()));

      const expectedOrder = [...created]
        .sort(
          (a, b) =>
            b.createdAt.getTime() - a.createdAt.getTime() ||
            (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
        )
        .map((document) => document.id);

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await documents().list(owner, { limit: 2, cursor });
        seen.push(...page.items.map((item) => item.id));
        cursor = page.nextCursor;
        pages += 1;
        if (pages === 2) {
          // A document created mid-way is newer than the cursor: it must not shift later pages.
          subject.clock().advance(1000);
          await documents().create(sampleDocument(owner, { title: 'arrived while paging' }));
        }
        expect(page.items.every((item) => !('text' in item))).toBe(true);
      } while (cursor);

      expect(seen).toEqual(expectedOrder);
      expect(pages).toBe(5);
      const first = await documents().list(owner, { limit: 100 });
      expect(first.items).toHaveLength(10);
      expect(first.items[0]?.title).toBe('arrived while paging');
      expect(first.nextCursor).toBeNull();
    });

    it('rejects a cursor it did not produce, including other spellings of a real one', async () => {
      const owner = newOwnerId();
      await expect(
        documents().list(owner, { limit: 5, cursor: 'not-a-cursor' }),
      ).rejects.toBeInstanceOf(InvalidCursorError);
      for (let index = 0; index < 3; index += 1) {
        await documents().create(sampleDocument(owner, { title: `Page item ${index}` }));
        subject.clock().advance(1000);
      }
      const { nextCursor } = await documents().list(owner, { limit: 1 });
      expect(nextCursor).not.toBeNull();
      const issued = nextCursor as string;
      expect((await documents().list(owner, { limit: 1, cursor: issued })).items).toHaveLength(1);
      const [createdAtMs, id] = Buffer.from(issued, 'base64url').toString('utf8').split(':');
      const respelled = [
        `${issued}!`, // base64url decoding skips stray characters
        `${issued}=`,
        Buffer.from(`0${createdAtMs}:${id}`, 'utf8').toString('base64url'),
        // Times no store wrote, out of a Date's range or before 1970.
        Buffer.from(`8640000000000001:${id}`, 'utf8').toString('base64url'),
        Buffer.from(`-1:${id}`, 'utf8').toString('base64url'),
      ];
      for (const cursor of respelled) {
        await expect(documents().list(owner, { limit: 1, cursor })).rejects.toBeInstanceOf(
          InvalidCursorError,
        );
      }
    });

    it('deletes one document and enqueues its delete job in the same write', async () => {
      const owner = newOwnerId();
      const keep = await documents().create(sampleDocument(owner, { title: 'Keep' }));
      const drop = await documents().create(sampleDocument(owner, { title: 'Drop' }));
      await drainJobs();

      const deleted = await documents().delete(owner, drop.id);
      expect(deleted?.id).toBe(drop.id);
      expect(await documents().get(owner, drop.id)).toBeNull();
      expect(await documents().get(owner, keep.id)).not.toBeNull();
      expect(await documents().delete(owner, drop.id)).toBeNull();
      expect(await documents().searchTitles(owner, 'drop')).toEqual([]);
      const jobs = await drainJobs();
      expect(jobs).toHaveLength(1);
      expect(jobs[0]).toMatchObject({
        kind: 'delete',
        ownerId: owner,
        documentId: drop.id,
        fileKey: drop.fileKey,
      });
    });

    it('deletes all of one owner’s documents with a delete job each, leaving other owners alone', async () => {
      const owner = newOwnerId();
      const other = newOwnerId();
      const mine = [
        await documents().create(sampleDocument(owner)),
        await documents().create(sampleDocument(owner)),
      ];
      const theirs = await documents().create(sampleDocument(other));
      await drainJobs();

      const result = await documents().deleteAllForOwner(owner);
      expect(result.count).toBe(2);
      expect([...result.fileKeys].sort()).toEqual(mine.map((d) => d.fileKey).sort());
      expect(await documents().count(owner)).toBe(0);
      expect(await documents().count(other)).toBe(1);
      expect(await documents().get(other, theirs.id)).not.toBeNull();
      const jobs = await drainJobs();
      expect(jobs.map((job) => job.documentId).sort()).toEqual(mine.map((d) => d.id).sort());
      expect(jobs.every((job) => job.kind === 'delete' && job.ownerId === owner)).toBe(true);
    });

    // The MongoDB adapter erases in transactions of 500 documents (review):
    // an owner with more than two of them is erased whole, a job each.
    it('deletes all of an owner’s documents when there are more than a thousand', async () => {
      const owner = newOwnerId();
      const total = 1_050;
      for (let created = 0; created < total; created += 50) {
        await Promise.all(
          Array.from({ length: 50 }, () => documents().create(sampleDocument(owner))),
        );
      }
      await drainJobs();
      const result = await documents().deleteAllForOwner(owner);
      expect(result.count).toBe(total);
      expect(new Set(result.fileKeys).size).toBe(total);
      expect(await documents().count(owner)).toBe(0);
      const jobs = await drainJobs();
      expect(new Set(jobs.map((job) => job.documentId)).size).toBe(total);
    }, 60_000);

    it('counts per owner', async () => {
      const owner = newOwnerId();
      await documents().create(sampleDocument(owner));
      await documents().create(sampleDocument(owner));
      await documents().create(sampleDocument(newOwnerId()));
      expect(await documents().count(owner)).toBe(2);
    });

    it('reads titles of the owner’s documents by id, leaving out others’ and missing ones', async () => {
      const owner = newOwnerId();
      const other = newOwnerId();
      const first = await documents().create(sampleDocument(owner, { title: 'First' }));
      const second = await documents().create(sampleDocument(owner, { title: 'Second' }));
      const gone = await documents().create(sampleDocument(owner, { title: 'Gone' }));
      const theirs = await documents().create(sampleDocument(other, { title: 'Theirs' }));
      await documents().delete(owner, gone.id);

      const titles = await documents().titlesOf(owner, [
        second.id,
        theirs.id,
        gone.id,
        'no-such-document',
        first.id,
        second.id,
      ]);
      expect(titles).toEqual(
        new Map([
          [second.id, 'Second'],
          [first.id, 'First'],
        ]),
      );
      expect(await documents().titlesOf(other, [first.id, theirs.id])).toEqual(
        new Map([[theirs.id, 'Theirs']]),
      );
      expect(await documents().titlesOf(owner, [])).toEqual(new Map());
    });

    it('searches content with every word required, a snippet and a score, best first', async () => {
      const owner = newOwnerId();
      const strong = await documents().create(
        sampleDocument(owner, {
          title: 'Photosynthesis notes',
          text: 'Photosynthesis converts light into chemical energy. Chlorophyll absorbs light; light drives it.',
        }),
      );
      const weak = await documents().create(
        sampleDocument(owner, {
          title: 'Garden diary',
          text: 'The garden had little light this spring, but the chlorophyll in the leaves was fine, and the tomatoes grew slowly along the fence during a long and otherwise uneventful season.',
        }),
      );
      await documents().create(
        sampleDocument(owner, { title: 'Unrelated', text: 'Only light, nothing green here.' }),
      );

      const hits = await documents().searchContent(owner, 'Chlorophyll LIGHT');
      expect(hits.map((hit) => hit.id)).toEqual([strong.id, weak.id]);
      for (const hit of hits) {
        expect(hit.snippet.toLowerCase()).toContain('chlorophyll');
        expect(hit.score).toBeGreaterThan(0);
      }
      expect(hits[0]?.score).toBeGreaterThan(hits[1]?.score ?? Infinity);
      expect(hits[0]?.title).toBe('Photosynthesis notes');
      expect(await documents().searchContent(owner, 'chlorophyll', { limit: 1 })).toHaveLength(1);
    });

    // Found in an exploratory test: as prefixes, twelve one-letter words read
    // most of an owner's words, for most of a second on the event loop.
    it('matches a one-letter word inside a query as a whole word, and the last word as a prefix', async () => {
      const owner = newOwnerId();
      const initials = await documents().create(
        sampleDocument(owner, {
          title: 'Harry Potter notes',
          text: 'Novels by J. K. Rowling, and vitamin C.',
        }),
      );
      const names = await documents().create(
        sampleDocument(owner, { title: 'Crew', text: 'James Kirk met Rowling; vitamins cure.' }),
      );
      const found = async (query: string) =>
        (await documents().searchContent(owner, query)).map((hit) => hit.id).sort();
      const both = [initials.id, names.id].sort();
      expect(await found('j k rowling')).toEqual([initials.id]);
      expect(await found('c vitamin')).toEqual([initials.id]);
      // The last word is typed as it is searched: still a prefix.
      expect(await found('vitamin c')).toEqual(both);
      expect(await found('j')).toEqual(both);
      const titles = await documents().searchTitles(owner, 'harry p');
      expect(titles.map((hit) => hit.id)).toEqual([initials.id]);
    });

    it('treats search syntax in queries as plain words', async () => {
      const owner = newOwnerId();
      await documents().create(sampleDocument(owner, { text: 'alpha beta gamma' }));
      for (const query of ['"alpha', 'alpha OR (', 'NEAR(alpha', '*', '.*', 'alpha) $where', '']) {
        await expect(documents().searchContent(owner, query)).resolves.toEqual(expect.any(Array));
        await expect(documents().searchTitles(owner, query)).resolves.toEqual(expect.any(Array));
      }
      expect(await documents().searchContent(owner, '"alpha"')).toHaveLength(1);
      expect(await documents().searchContent(owner, '')).toEqual([]);
    });

    it('searches titles by word prefix, case-insensitively', async () => {
      const owner = newOwnerId();
      const match = await documents().create(
        sampleDocument(owner, { title: 'Annual Budget Review' }),
      );
      await documents().create(sampleDocument(owner, { title: 'Budgetary rules', text: 'annual' }));
      await documents().create(sampleDocument(owner, { title: 'Something else' }));
      const hits = await documents().searchTitles(owner, 'budg ANNUAL');
      expect(hits).toEqual([
        {
          id: match.id,
          title: 'Annual Budget Review',
          snippet: 'Annual Budget Review',
          score: expect.any(Number),
        },
      ]);
      expect(hits[0]?.score).toBeGreaterThan(0);
      expect(await documents().searchTitles(owner, 'review')).toHaveLength(1);
      expect(await documents().searchTitles(owner, 'eview')).toEqual([]);
    });

    it('searches only the owner’s documents when other owners hold the same words, ranked per owner', async () => {
      const owner = newOwnerId();
      const neighbour = newOwnerId();
      const created = { owner: [] as string[], neighbour: [] as string[] };
      // Interleaved, and the neighbour's copies match better and outnumber the
      // limit: a filter applied after ranking and limiting would lose the owner's.
      for (let round = 0; round < 12; round += 1) {
        for (const [who, id] of [
          ['neighbour', neighbour],
          ['owner', owner],
        ] as const) {
          const solar =
            round === 0
              ? {
                  title: 'Solar panel',
                  text: 'Solar panel wiring: the solar panel feeds the inverter.',
                }
              : round === 1
                ? {
                    title: 'Solar panel maintenance schedule for the north roof',
                    text: 'The roof was inspected in spring. One solar unit was cracked, so the installer replaced the panel and checked every other fixing along the ridge before the rain.',
                  }
                : who === 'neighbour'
                  ? { title: 'Solar panel', text: 'Solar panel, solar panel, solar panel.' }
                  : { title: 'Kitchen plans', text: 'Tiles and cupboards, nothing else.' };
          const document = await documents().create(sampleDocument(id, solar));
          created[who].push(document.id);
        }
      }
      const [ownerStrong, ownerWeak] = created.owner;

      const content = await documents().searchContent(owner, 'solar PANEL', { limit: 2 });
      expect(content.map((hit) => hit.id)).toEqual([ownerStrong, ownerWeak]);
      expect(content[0]?.score).toBeGreaterThan(content[1]?.score ?? Infinity);
      for (const hit of content) {
        expect(hit.snippet.toLowerCase()).toContain('solar');
        expect(hit.snippet).not.toContain(owner);
      }
      const titles = await documents().searchTitles(owner, 'solar pan', { limit: 2 });
      expect(titles.map((hit) => hit.id)).toEqual([ownerStrong, ownerWeak]);
      expect(titles[0]?.score).toBeGreaterThan(titles[1]?.score ?? Infinity);
      expect(await documents().searchContent(owner, 'solar', { limit: 50 })).toHaveLength(2);
      expect(await documents().searchTitles(owner, 'kitchen', { limit: 50 })).toHaveLength(10);

      const neighbourContent = await documents().searchContent(neighbour, 'solar panel', {
        limit: 50,
      });
      expect(neighbourContent.map((hit) => hit.id).sort()).toEqual([...created.neighbour].sort());
      const neighbourTitles = await documents().searchTitles(neighbour, 'solar', { limit: 50 });
      expect(neighbourTitles.map((hit) => hit.id).sort()).toEqual([...created.neighbour].sort());
      expect(neighbourTitles.at(-1)?.id).toBe(created.neighbour[1]);
      expect(await documents().searchTitles(neighbour, 'kitchen')).toEqual([]);
      // The owner's id is not content: a word of it finds nothing.
      for (const word of owner.split('-')) {
        expect(await documents().searchContent(owner, word)).toEqual([]);
        expect(await documents().searchTitles(owner, word)).toEqual([]);
      }
    });

    it('requeues indexing for one owner or for everyone', async () => {
      const owner = newOwnerId();
      const other = newOwnerId();
      const mine = await documents().create(sampleDocument(owner));
      await documents().create(sampleDocument(other));
      await documents().setIndexStatus(owner, mine.id, 'indexed');
      await drainJobs();

      expect(await documents().requeueIndexing({ ownerId: owner })).toBe(1);
      expect((await documents().get(owner, mine.id))?.indexStatus).toBe('pending');
      expect(await outbox().pendingCounts()).toEqual({ index: 1, delete: 0, purge: 0 });
      expect(await documents().requeueIndexing()).toBe(2);
      // The owner's document already waits for its index job, which reads it when it runs.
      expect(await outbox().pendingCounts()).toEqual({ index: 2, delete: 0, purge: 0 });
    });

    it('reports itself healthy', async () => {
      expect(await documents().health()).toMatchObject({ ok: true });
    });
  });
}
