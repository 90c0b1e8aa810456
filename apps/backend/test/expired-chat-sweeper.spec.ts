import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServiceLogger } from '@docuthinker/runtime';
import { DEFAULT_CHAT_SESSION_TTL_MS, createStores, type Stores } from '@docuthinker/stores';
import { startExpiredChatSweeper } from '../src/services/expired-chat-sweeper';
import { eventually } from './support/api-client';

describe('expired chat sweeper', () => {
  let dataDir: string;
  let stores: Stores;
  let now = Date.UTC(2026, 0, 1);

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'chat-sweeper-'));
    stores = await createStores({ dataDir, clock: () => new Date(now) });
  });
  afterEach(async () => {
    await stores.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('removes expired conversations from the embedded store at start and then periodically, and keeps live ones', async () => {
    const lines: string[] = [];
    const logger = createServiceLogger({
      service: 'test',
      level: 'info',
      secretValues: [],
      destination: { write: (line: string) => void lines.push(line) },
    });
    const expired = await stores.chatSessions.create({ ownerId: 'owner', documentId: 'old' });
    now += DEFAULT_CHAT_SESSION_TTL_MS + 1;
    const live = await stores.chatSessions.create({ ownerId: 'owner', documentId: 'new' });

    const sweeper = startExpiredChatSweeper(stores.chatSessions, logger, 50);
    try {
      await eventually(async () =>
        lines.some((line) => line.includes('expired chat sessions removed')) ? true : undefined,
      );
      expect(JSON.parse(lines.find((line) => line.includes('removed')) ?? '{}')).toMatchObject({
        removed: 1,
      });
      expect(await stores.chatSessions.purgeExpired()).toBe(0);
      expect(await stores.chatSessions.get('owner', live.id)).not.toBeNull();
      expect(await stores.chatSessions.get('owner', expired.id)).toBeNull();

      // Later expiries go on the next sweep.
      now += DEFAULT_CHAT_SESSION_TTL_MS + 1;
      await eventually(async () =>
        lines.filter((line) => line.includes('expired chat sessions removed')).length === 2
          ? true
          : undefined,
      );
    } finally {
      await sweeper.stop();
    }
  });
});
