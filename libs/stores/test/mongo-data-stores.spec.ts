import { randomUUID } from 'node:crypto';
import type { StartedMongoDBContainer } from '@testcontainers/mongodb';
import { createMongoDataStores } from '../src/mongo/create-mongo-data-stores';
import { chatSessionStoreContract } from './contracts/chat-session-store.contract';
import type { OpenDataStores } from './contracts/data-stores-factory';
import { documentStoreContract } from './contracts/document-store.contract';
import { outboxStoreContract } from './contracts/outbox-store.contract';
import { userStoreContract } from './contracts/user-store.contract';
import { announceSkipped, containerRuntimeUnavailableReason } from '@docuthinker/testing';

const MONGO_IMAGE = 'mongo:7.0';
const unavailable = containerRuntimeUnavailableReason();
if (unavailable) {
  announceSkipped('MongoDB user, document, chat session and outbox contract suites', unavailable);
}

(unavailable ? describe.skip : describe)('MongoDB data stores (testcontainers)', () => {
  let container: StartedMongoDBContainer | undefined;

  beforeAll(async () => {
    // Loaded here so that a machine without a runtime never pays for the import.
    const { MongoDBContainer } = await import('@testcontainers/mongodb');
    container = await new MongoDBContainer(MONGO_IMAGE).start();
  }, 180_000);

  afterAll(async () => {
    await container?.stop();
  });

  const open: OpenDataStores = async (clock) => {
    if (!container) throw new Error('the MongoDB container did not start');
    return createMongoDataStores({
      uri: container.getConnectionString(),
      databaseName: `contract_${randomUUID().replaceAll('-', '')}`,
      clock: clock.now,
    });
  };

  userStoreContract(open);
  documentStoreContract(open);
  chatSessionStoreContract(open);
  outboxStoreContract(open);
});
