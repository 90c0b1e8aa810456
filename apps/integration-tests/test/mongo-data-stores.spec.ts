import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStores } from '@docuthinker/stores';
/* eslint-disable @nx/enforce-module-boundaries -- the libs' contract suites are test code, outside their public API */
import { chatSessionStoreContract } from '../../../libs/stores/test/contracts/chat-session-store.contract';
import type { OpenDataStores } from '../../../libs/stores/test/contracts/data-stores-factory';
import { documentStoreContract } from '../../../libs/stores/test/contracts/document-store.contract';
import { outboxStoreContract } from '../../../libs/stores/test/contracts/outbox-store.contract';
import { userStoreContract } from '../../../libs/stores/test/contracts/user-store.contract';
/* eslint-enable @nx/enforce-module-boundaries */
import { requireTopology, topologyFor } from '../src/integration-suite';

const topology = topologyFor(
  'MongoDB user, document, chat session and outbox contract suites (compose service mongo)',
);

(topology ? describe : describe.skip)('MongoDB data stores on the compose topology', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'integration-mongo-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  // Through createStores, as the backend builds them; each test gets a database of its own.
  const open: OpenDataStores = async (clock) => {
    const stores = await createStores({
      dataDir,
      mongodbUri: requireTopology(topology).mongoUri,
      mongodbDatabase: `contract_${randomUUID().replaceAll('-', '')}`,
      clock: clock.now,
    });
    if (stores.adapters.data !== 'mongodb') {
      await stores.close();
      throw new Error(`createStores picked ${stores.adapters.data}, not mongodb`);
    }
    return {
      adapter: stores.adapters.data,
      users: stores.users,
      documents: stores.documents,
      chatSessions: stores.chatSessions,
      outbox: stores.outbox,
      health: async () => (await stores.health()).components.data,
      close: () => stores.close(),
    };
  };

  userStoreContract(open);
  documentStoreContract(open);
  chatSessionStoreContract(open);
  outboxStoreContract(open);
});
