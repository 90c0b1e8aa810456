import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbeddedDataStores } from '../src/embedded/create-embedded-data-stores';
import { chatSessionStoreContract } from './contracts/chat-session-store.contract';
import type { OpenDataStores } from './contracts/data-stores-factory';
import { documentStoreContract } from './contracts/document-store.contract';
import { outboxStoreContract } from './contracts/outbox-store.contract';
import { userStoreContract } from './contracts/user-store.contract';
import { ManualClock } from './support/manual-clock';
import { sampleDocument } from './support/sample-documents';

describe('embedded libSQL data stores', () => {
  const root = mkdtempSync(join(tmpdir(), 'docuthinker-stores-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const open: OpenDataStores = async (clock) =>
    createEmbeddedDataStores({ dataDir: mkdtempSync(join(root, 'case-')), clock: clock.now });

  userStoreContract(open);
  documentStoreContract(open);
  chatSessionStoreContract(open);
  outboxStoreContract(open);

  it('shares one file between connections (API and worker): WAL on, each job leased once', async () => {
    const dataDir = mkdtempSync(join(root, 'shared-'));
    const clock = new ManualClock();
    const api = createEmbeddedDataStores({ dataDir, clock: clock.now });
    const worker = createEmbeddedDataStores({ dataDir, clock: clock.now });
    try {
      const document = await api.documents.create(sampleDocument('owner-1'));
      expect((await worker.documents.get('owner-1', document.id))?.id).toBe(document.id);
      const claims = await Promise.all([
        api.outbox.claim({ leaseMs: 1000 }),
        worker.outbox.claim({ leaseMs: 1000 }),
      ]);
      expect(claims.filter((claim) => claim !== null)).toHaveLength(1);
      expect(existsSync(join(dataDir, 'docuthinker.db-wal'))).toBe(true);
    } finally {
      await api.close();
      await worker.close();
    }
  });
});
