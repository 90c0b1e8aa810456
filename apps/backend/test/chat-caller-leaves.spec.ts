import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatRequest, ChatResponse } from '@docuthinker/contracts';
import { createStores, type Stores } from '@docuthinker/stores';
import type { GatewayCallContext, GatewayClient } from '../src/gateway/gateway-client';
import { CallerLeftError } from '../src/gateway/gateway-errors';
import { ChatService } from '../src/services/chat-service';

const REPLY: ChatResponse = { reply: 'An answer nobody reads.', citations: [] };

/**
 * Found by an exploratory test: a client that left right after the gateway
 * answered (its signal aborted while the turn was being stored) still got a
 * new session with the turn, whose id it never received.
 */
describe('a chat turn whose client left after the gateway answered', () => {
  let dataDir: string;
  let stores: Stores;
  let ownerId: string;
  let documentId: string;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'dt-chat-leaves-'));
    stores = await createStores({ dataDir });
    ownerId = (await stores.users.create({ email: 'leaves@example.com', passwordHash: 'h' })).id;
    documentId = 'doc-1';
    await stores.documents.create({
      id: documentId,
      ownerId,
      title: 'Notes',
      fileType: 'txt',
      size: 5,
      contentHash: 'c'.repeat(64),
      text: 'Notes',
      summary: 'Notes',
      summaryDegraded: true,
      fileKey: `${ownerId}/${documentId}/original.txt`,
    });
  });
  afterEach(async () => {
    await stores.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** `store` whose `method` does its work, then the client leaves. */
  function leavingAfter<Store extends object>(
    store: Store,
    method: keyof Store & string,
    leaving: AbortController,
  ): Store {
    const work = store[method] as (...args: unknown[]) => Promise<unknown>;
    return Object.assign(Object.create(store) as Store, {
      [method]: async (...args: unknown[]) => {
        const result = await work.apply(store, args);
        leaving.abort();
        return result;
      },
    });
  }

  /** A gateway that answers, and the client leaving at `when`. */
  function chatService(
    leaving: AbortController,
    when: 'answered' | 'storing' | 'confirming' | 'checking',
  ): ChatService {
    const gateway = {
      chat: async (_request: ChatRequest, _context?: GatewayCallContext) => {
        if (when === 'answered') leaving.abort();
        return REPLY;
      },
    } as unknown as GatewayClient;
    const chatSessions =
      when === 'storing'
        ? leavingAfter(stores.chatSessions, 'append', leaving)
        : stores.chatSessions;
    // The document is looked for again once the turn is stored.
    const documents =
      when === 'checking' ? leavingAfter(stores.documents, 'titlesOf', leaving) : stores.documents;
    // The owner is confirmed once the turn is stored (read only then).
    const users =
      when === 'confirming' ? leavingAfter(stores.users, 'findById', leaving) : stores.users;
    return new ChatService({ ...stores, chatSessions, documents, users }, gateway);
  }

  it.each([
    ['after the gateway answered', 'answered'],
    ['while the turn was stored', 'storing'],
    // Found in review: the checks after the turn was stored are two reads more.
    ['while its owner was confirmed', 'confirming'],
    ['while the stored turn was checked', 'checking'],
  ] as const)('stores no new session when the client left %s', async (_, when) => {
    const leaving = new AbortController();
    const turn = chatService(leaving, when).chat(ownerId, documentId, 'Hello?', undefined, {
      signal: leaving.signal,
    });
    await expect(turn).rejects.toBeInstanceOf(CallerLeftError);
    expect((await stores.chatSessions.list(ownerId, { limit: 10 })).items).toEqual([]);
  });

  it('leaves a known session as it was when the client left before the turn was stored', async () => {
    const session = await stores.chatSessions.create({ ownerId, documentId });
    const leaving = new AbortController();
    const turn = chatService(leaving, 'answered').chat(ownerId, documentId, 'Hello?', session.id, {
      signal: leaving.signal,
    });
    await expect(turn).rejects.toBeInstanceOf(CallerLeftError);
    expect((await stores.chatSessions.get(ownerId, session.id))?.messages).toEqual([]);
  });
});
