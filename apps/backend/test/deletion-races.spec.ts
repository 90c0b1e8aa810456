import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExtractedDocument } from '@docuthinker/documents';
import {
  createStores,
  documentFileKey,
  eraseAccount,
  ownerFilePrefix,
  type Stores,
} from '@docuthinker/stores';
import { createGatewayClient, type GatewayClient } from '../src/gateway/gateway-client';
import { ChatService } from '../src/services/chat-service';
import { DocumentCache } from '../src/services/document-cache';
import { DocumentService } from '../src/services/document-service';
import { AccountGoneError } from '../src/services/service-errors';
import { startFakeGateway, type FakeGateway } from './support/fake-gateway';
import { SERVICE_TOKEN } from './support/start-backend';
import { extractedText } from './support/extracted-text';

/** A promise the test resolves when it wants the request under test to go on. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = () => undefined as void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

const TEXT = 'Erasure means nothing of the account is left behind.';

const extracted = extractedText(TEXT, 'Late upload');

/**
 * An account erased, or a document deleted, while one of its requests is
 * still running (an upload in extraction, a chat turn waiting for its answer)
 * must not keep anything that request saves, whichever finishes first.
 */
describe('deletion racing requests already past authentication', () => {
  let dataDir: string;
  let stores: Stores;
  let gateway: FakeGateway;
  let gatewayClient: GatewayClient;

  beforeAll(async () => {
    gateway = await startFakeGateway(SERVICE_TOKEN);
    gatewayClient = createGatewayClient({ baseUrl: gateway.url, serviceToken: SERVICE_TOKEN });
  });
  afterAll(async () => {
    await gateway.stop();
  });
  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'dt-erasure-races-'));
    stores = await createStores({ dataDir });
  });
  afterEach(async () => {
    await stores.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const user = (name: string) =>
    stores.users.create({ email: `${name}@example.com`, passwordHash: 'hash' });

  function documentService(extract: () => Promise<ExtractedDocument>): DocumentService {
    return new DocumentService(stores, new DocumentCache(stores.cache), gatewayClient, {
      maxUploadBytes: 1024,
      extractor: { extract },
      onOutboxWork: () => undefined,
    });
  }

  /**
   * A chat turn on a new document of `ownerId`, held while the gateway
   * "answers": it has passed every check and waits to save its session.
   */
  async function chatTurnAwaitingItsAnswer(ownerId: string, { indexed = true } = {}) {
    const document = await stores.documents.create({
      id: 'chat-document',
      ownerId,
      title: 'Chat',
      fileType: 'txt',
      size: TEXT.length,
      contentHash: 'c'.repeat(64),
      text: TEXT,
      summary: TEXT,
      summaryDegraded: true,
      fileKey: documentFileKey(ownerId, 'chat-document', 'txt'),
    });
    if (indexed) {
      // As its outbox job would leave it: chat finds it at the gateway.
      gateway.indexed.set(document.id, {
        ownerId,
        documentId: document.id,
        title: 'Chat',
        text: TEXT,
      });
      await stores.documents.setIndexStatus(ownerId, document.id, 'indexed', document.title);
    }
    const asked = gate();
    const answer = gate();
    const chat = new ChatService(
      stores,
      Object.assign(Object.create(gatewayClient) as GatewayClient, {
        chat: async (request: Parameters<GatewayClient['chat']>[0]) => {
          asked.open();
          await answer.opened;
          return gatewayClient.chat(request);
        },
      }),
    );
    const turn = chat.chat(ownerId, document.id, 'What is left behind?');
    await asked.opened;
    return { documentId: document.id, turn, answer };
  }

  /** Files, documents and chat sessions the owner still has. */
  async function leftOf(ownerId: string) {
    return {
      documents: await stores.documents.count(ownerId),
      chatSessions: await stores.chatSessions.deleteAllForOwner(ownerId),
      files: await stores.files.deletePrefix(ownerFilePrefix(ownerId)),
    };
  }

  it('an upload that saves after the erasure removes what it saved and answers 401', async () => {
    const leaving = await user('upload-after');
    const extraction = gate();
    const uploads = documentService(async () => {
      await extraction.opened;
      return extracted;
    });

    const upload = uploads.upload(leaving.id, { bytes: Buffer.from(TEXT) });
    await eraseAccount(stores, leaving.id, { lateIndexWritesWithinMs: 0 });
    extraction.open();

    await expect(upload).rejects.toBeInstanceOf(AccountGoneError);
    expect(await leftOf(leaving.id)).toEqual({ documents: 0, chatSessions: 0, files: 0 });
  });

  it('an upload that saves while the erasure runs is taken by its second sweep', async () => {
    const leaving = await user('upload-during');
    const staying = await user('upload-staying');
    const extraction = gate();
    const uploads = documentService(async () => {
      await extraction.opened;
      return extracted;
    });
    const upload = uploads.upload(leaving.id, { bytes: Buffer.from(TEXT) });
    const kept = await documentService(async () => extracted).upload(staying.id, {
      bytes: Buffer.from(TEXT),
    });

    // The upload finishes after the erasure's first sweep, just before the user record goes.
    const erasure = await eraseAccount(
      {
        ...stores,
        users: Object.assign(Object.create(stores.users) as Stores['users'], {
          delete: async (id: string) => {
            extraction.open();
            await upload;
            return stores.users.delete(id);
          },
        }),
      },
      leaving.id,
      { lateIndexWritesWithinMs: 0 },
    );

    expect((await upload).ownerId).toBe(leaving.id); // it saw its owner: the sweep must take it
    expect(erasure).toMatchObject({ documents: 1, files: 1, userDeleted: true });
    expect(await leftOf(leaving.id)).toEqual({ documents: 0, chatSessions: 0, files: 0 });
    expect(await stores.documents.get(staying.id, kept.id)).not.toBeNull();
    expect(await stores.files.getBuffer(kept.fileKey)).not.toBeNull();
  });

  it('a chat turn answered after its document was deleted keeps no session and answers 404', async () => {
    const owner = await user('chat-document-deleted');
    const { documentId, turn, answer } = await chatTurnAwaitingItsAnswer(owner.id);
    await documentService(async () => extracted).delete(owner.id, documentId);
    answer.open();

    await expect(turn).rejects.toMatchObject({ name: 'NotFoundError', what: 'document' });
    expect(await stores.chatSessions.deleteAllForOwner(owner.id)).toBe(0);
    expect(await stores.users.findById(owner.id)).not.toBeNull();
  });

  it('a question over documents, one deleted while the gateway answered, is answered without it', async () => {
    const owner = await user('ask-document-deleted');
    const stored = (id: string, title: string) =>
      stores.documents.create({
        id,
        ownerId: owner.id,
        title,
        fileType: 'txt',
        size: TEXT.length,
        contentHash: 'd'.repeat(64),
        text: TEXT,
        summary: TEXT,
        summaryDegraded: true,
        fileKey: documentFileKey(owner.id, id, 'txt'),
      });
    const secret = await stored('secret-document', 'Secret');
    const kept = await stored('kept-document', 'Kept');
    const asked: (string[] | undefined)[] = [];
    const chat = new ChatService(
      stores,
      Object.assign(Object.create(gatewayClient) as GatewayClient, {
        ask: async (request: Parameters<GatewayClient['ask']>[0]) => {
          asked.push(request.documentIds);
          // Deleted (the DELETE answered) while the gateway answers from its still-indexed text.
          if (asked.length === 1) {
            await documentService(async () => extracted).delete(owner.id, secret.id);
          }
          const cited = request.documentIds ?? [];
          return {
            answer: `Answered from ${cited.join(' and ')}.`,
            citations: cited.map((documentId) => ({
              documentId,
              chunkId: `${documentId}:0`,
              snippet: TEXT,
              score: 1,
            })),
          };
        },
      }),
    );

    const answer = await chat.ask(owner.id, 'What is left behind?', [secret.id, kept.id]);

    expect(asked).toEqual([[secret.id, kept.id], [kept.id]]);
    expect(answer).toEqual({
      answer: `Answered from ${kept.id}.`,
      citations: [
        { documentId: kept.id, chunkId: `${kept.id}:0`, snippet: TEXT, score: 1, title: 'Kept' },
      ],
    });
  });

  // Found in review: the gateway found nothing of a document deleted while it
  // answered, and the user was told to ask again about it in 5 s (409).
  it('a chat about a document not indexed yet, deleted while the gateway answered, is 404, not 409', async () => {
    const owner = await user('chat-pending-deleted');
    const { documentId, turn, answer } = await chatTurnAwaitingItsAnswer(owner.id, {
      indexed: false,
    });
    await documentService(async () => extracted).delete(owner.id, documentId);
    answer.open();

    await expect(turn).rejects.toMatchObject({ name: 'NotFoundError', what: 'document' });
  });

  it('a chat turn answered after the erasure keeps no session and answers 401', async () => {
    const leaving = await user('chat-after');
    const { turn, answer } = await chatTurnAwaitingItsAnswer(leaving.id);
    await eraseAccount(stores, leaving.id, { lateIndexWritesWithinMs: 0 });
    answer.open();

    await expect(turn).rejects.toBeInstanceOf(AccountGoneError);
    expect(await leftOf(leaving.id)).toEqual({ documents: 0, chatSessions: 0, files: 0 });
  });
});
