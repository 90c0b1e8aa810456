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

  function capturedLogger() {
    const lines: string[] = [];
    const logger = createServiceLogger({
      service: 'test',
      level: 'info',
      secretValues: [],
      destination: { write: (line: string) => void lines.push(line) },
    });
    const sweeps = () => lines.filter((line) => line.includes('expired chat sessions removed'));
    return { logger, sweeps };
  }

  it('removes expired conversations from the embedded store at start, and keeps live ones', async () => {
    const { logger, sweeps } = capturedLogger();
    const expired = await stores.chatSessions.create({ ownerId: 'owner', documentId: 'old' });
    now += DEFAULT_CHAT_SESSION_TTL_MS + 1;
    const live = await stores.chatSessions.create({ ownerId: 'owner', documentId: 'new' });

    // Production's hour between sweeps: only the start-up sweep can run here.
    const sweeper = startExpiredChatSweeper(stores.chatSessions, logger, 3_600_000);
    try {
      await eventually(async () => (sweeps().length > 0 ? true : undefined));
      expect(JSON.parse(sweeps()[0] ?? '{}')).toMatchObject({ removed: 1 });
      expect(await stores.chatSessions.purgeExpired()).toBe(0);
      expect(await stores.chatSessions.get('owner', live.id)).not.toBeNull();
      expect(await stores.chatSessions.get('owner', expired.id)).toBeNull();
    } finally {
      await sweeper.stop();
    }
  });

  it('removes later expiries on a later sweep', async () => {
    const { logger, sweeps } = capturedLogger();
    await stores.chatSessions.create({ ownerId: 'owner', documentId: 'first' });
    now += DEFAULT_CHAT_SESSION_TTL_MS + 1;
    const sweeper = startExpiredChatSweeper(stores.chatSessions, logger, 50);
    try {
      await eventually(async () => (sweeps().length === 1 ? true : undefined));
      const later = await stores.chatSessions.create({ ownerId: 'owner', documentId: 'later' });
      now += DEFAULT_CHAT_SESSION_TTL_MS + 1;
      await eventually(async () => (sweeps().length === 2 ? true : undefined));
      expect(sweeps().map((line) => (JSON.parse(line) as { removed: number }).removed)).toEqual([
        1, 1,
      ]);
      expect(await stores.chatSessions.get('owner', later.id)).toBeNull();
    } finally {
      await sweeper.stop();
    }
  });
});
