import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eraseAccount } from '../src/account-erasure';
import {
  createEmbeddedDataStores,
  EMBEDDED_DATABASE_FILE,
} from '../src/embedded/create-embedded-data-stores';
import { openEmbeddedDatabase } from '../src/embedded/libsql-database';
import { LibsqlDocumentStore } from '../src/embedded/libsql-document-store';
import type { FileStore } from '../src/ports/file-store';
import { sampleDocument } from './support/sample-documents';

/**
 * What an erasure leaves on disk, read as raw bytes: the database, its WAL
 * and its shared-memory index. Freed pages, unused space in live pages and
 * old WAL frames all keep deleted rows readable unless the store zeroes them
 * (secure_delete) and checkpoints the WAL away on close.
 */

/**
 * Files in `dir` (not descending) whose bytes hold `marker`, exactly. The
 * markers are upper case: the rows hold them so, while the full-text index
 * holds its words in lower case.
 */
function filesHolding(dir: string, marker: string, bytes = (text: string) => text): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .filter((entry) =>
      bytes(readFileSync(join(dir, entry.name)).toString('latin1')).includes(marker),
    )
    .map((entry) => entry.name);
}

/** Each marker with the files that hold it. */
function residue(dir: string, markers: readonly string[]): Record<string, string[]> {
  return Object.fromEntries(markers.map((marker) => [marker, filesHolding(dir, marker)]));
}

function nowhere(markers: readonly string[]): Record<string, string[]> {
  return Object.fromEntries(markers.map((marker) => [marker, []]));
}

/** Only the file store's prefix delete is used by an erasure; no files are held here. */
const noFiles = { deletePrefix: async () => 0 } as unknown as FileStore;

describe('embedded libSQL stores: erased data is gone from the files on disk', () => {
  const root = mkdtempSync(join(tmpdir(), 'docuthinker-erasure-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('leaves no e-mail, chat message, title or text of an erased account in the db, -wal or -shm', async () => {
    const dataDir = mkdtempSync(join(root, 'account-'));
    const markers = {
      email: 'KIMPRIVATEMAIL@example.com',
      title: 'KIMTITLEMARKER',
      text: 'KIMPRIVATETEXTMARKER',
      question: 'KIMPRIVATEQUESTIONMARKER',
      answer: 'KIMPRIVATEANSWERMARKER',
    };
    // Another account stays: its rows share pages with the erased one's.
    const neighbour = createEmbeddedDataStores({ dataDir });
    const other = await neighbour.users.create({ email: 'other@example.com', passwordHash: 'h' });
    await neighbour.documents.create(sampleDocument(other.id));
    await neighbour.close();

    const stores = createEmbeddedDataStores({ dataDir });
    const user = await stores.users.create({ email: markers.email, passwordHash: 'hash' });
    const document = await stores.documents.create(
      sampleDocument(user.id, {
        title: `Report ${markers.title}`,
        text: `Private notes ${markers.text} `.repeat(50),
        html: `<p>${markers.text}</p>`,
        summary: `About ${markers.text}`,
      }),
    );
    const session = await stores.chatSessions.create({
      ownerId: user.id,
      documentId: document.id,
    });
    await stores.chatSessions.append({ ownerId: user.id, documentId: document.id }, session.id, [
      { role: 'user', content: `What about ${markers.question}?` },
      { role: 'assistant', content: `It says ${markers.answer}.` },
    ]);
    await stores.users.updateProfile(user.id, { theme: 'dark' });
    // On disk before the erasure: the check after it would otherwise prove nothing.
    for (const files of Object.values(residue(dataDir, Object.values(markers)))) {
      expect(files).not.toEqual([]);
    }

    await eraseAccount({ ...stores, files: noFiles }, user.id, { lateIndexWritesWithinMs: 0 });
    expect(await stores.users.findById(user.id)).toBeNull();
    expect(await stores.users.findById(other.id)).not.toBeNull();
    await stores.close();

    expect(residue(dataDir, Object.values(markers))).toEqual(nowhere(Object.values(markers)));
    const reopened = createEmbeddedDataStores({ dataDir });
    try {
      expect(await reopened.documents.count(other.id)).toBe(1);
    } finally {
      await reopened.close();
    }
  });

  it("leaves no title or text of a deleted document, and keeps the owner's other documents", async () => {
    const dataDir = mkdtempSync(join(root, 'document-'));
    const stores = createEmbeddedDataStores({ dataDir });
    const ownerId = 'owner-1';
    const kept = await stores.documents.create(sampleDocument(ownerId));
    const doomed = await stores.documents.create(
      sampleDocument(ownerId, {
        title: 'KIMDOCTITLEMARKER',
        text: 'Confidential KIMDOCTEXTMARKER paragraph. '.repeat(200),
      }),
    );
    // A rename rewrites the row and its full-text entries: the old ones must go too.
    await stores.documents.update(ownerId, doomed.id, { title: 'KIMDOCTITLEMARKER renamed' });
    const markers = ['KIMDOCTITLEMARKER', 'KIMDOCTEXTMARKER'];
    for (const files of Object.values(residue(dataDir, markers))) expect(files).not.toEqual([]);

    expect(await stores.documents.delete(ownerId, doomed.id)).not.toBeNull();
    await stores.close();

    expect(residue(dataDir, markers)).toEqual(nowhere(markers));
    const reopened = createEmbeddedDataStores({ dataDir });
    try {
      expect((await reopened.documents.get(ownerId, kept.id))?.id).toBe(kept.id);
    } finally {
      await reopened.close();
    }
  });

  // The full-text index is contentless: a delete leaves a tombstone and the
  // words in the index's pages; the store merges them away as it closes.
  it("leaves no word of a deleted, renamed-away or erased document's text in the full-text index", async () => {
    const dataDir = mkdtempSync(join(root, 'terms-'));
    const stores = createEmbeddedDataStores({ dataDir });
    const ownerId = 'owner-1';
    await stores.documents.create(sampleDocument(ownerId));
    const doomed = await stores.documents.create(
      sampleDocument(ownerId, { text: 'Confidential KIMTERMMARKER paragraph.' }),
    );
    const renamed = await stores.documents.create(
      sampleDocument(ownerId, { title: 'KIMOLDTITLEMARKER notes' }),
    );
    await stores.documents.create(
      sampleDocument('owner-2', { text: 'Erased KIMERASEDMARKER paragraph.' }),
    );
    const lowerCase = (text: string) => text.toLowerCase();
    const markers = ['kimtermmarker', 'kimoldtitlemarker', 'kimerasedmarker'];
    for (const marker of markers) {
      expect(filesHolding(dataDir, marker, lowerCase)).not.toEqual([]);
    }
    await stores.documents.delete(ownerId, doomed.id);
    await stores.documents.update(ownerId, renamed.id, { title: 'Plain notes' });
    await stores.documents.deleteAllForOwner('owner-2');
    await stores.close();
    for (const marker of markers) expect(filesHolding(dataDir, marker, lowerCase)).toEqual([]);
    const reopened = createEmbeddedDataStores({ dataDir });
    try {
      // The merged index still finds what was kept.
      const found = await reopened.documents.searchTitles(ownerId, 'plain notes');
      expect(found.map((hit) => hit.id)).toContain(renamed.id);
    } finally {
      await reopened.close();
    }
  });

  // Found in review: whether a merge was owed lived in the process, so after
  // a crash no later close merged, and the words stayed in the file.
  it('merges the words a crashed process deleted, at the next open', async () => {
    const dataDir = mkdtempSync(join(root, 'crash-'));
    const stores = createEmbeddedDataStores({ dataDir });
    await stores.documents.create(sampleDocument('owner-1'));
    await stores.documents.create(
      sampleDocument('owner-2', { text: 'Erased KIMCRASHMARKER paragraph.' }),
    );
    await stores.close();
    // The crashing process: it deletes, and its database goes without the store's close.
    const crashing = openEmbeddedDatabase(join(dataDir, EMBEDDED_DATABASE_FILE));
    await new LibsqlDocumentStore(crashing, () => new Date()).deleteAllForOwner('owner-2');
    crashing.close();
    const lowerCase = (text: string) => text.toLowerCase();
    expect(filesHolding(dataDir, 'kimcrashmarker', lowerCase)).not.toEqual([]);

    const restarted = createEmbeddedDataStores({ dataDir });
    await restarted.close();
    expect(filesHolding(dataDir, 'kimcrashmarker', lowerCase)).toEqual([]);
  });
});
