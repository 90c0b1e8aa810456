import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbeddedDataStores } from '../src/embedded/create-embedded-data-stores';
import { chatSessionStoreContract } from './contracts/chat-session-store.contract';
import type { OpenDataStores } from './contracts/data-stores-factory';
import { documentStoreContract } from './contracts/document-store.contract';
import { outboxStoreContract } from './contracts/outbox-store.contract';
import { userStoreContract } from './contracts/user-store.contract';

describe('embedded libSQL data stores', () => {
  const root = mkdtempSync(join(tmpdir(), 'docuthinker-stores-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const open: OpenDataStores = async (clock) =>
    createEmbeddedDataStores({ dataDir: mkdtempSync(join(root, 'case-')), clock: clock.now });

  userStoreContract(open);
  documentStoreContract(open);
  chatSessionStoreContract(open);
  outboxStoreContract(open);
});
