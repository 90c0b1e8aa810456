import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStores, type Stores, type UserRecord } from '@docuthinker/stores';
import { LiveAccounts } from '../src/auth/live-accounts';

describe('LiveAccounts', () => {
  let dataDir: string;
  let stores: Stores;
  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'live-accounts-'));
    stores = await createStores({ dataDir });
  });
  afterEach(async () => {
    await stores.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('does not remember an account read before a password change that landed meanwhile', async () => {
    const user = await stores.users.create({ email: 'race@example.com', passwordHash: 'h1' });
    const oldToken = { userId: user.id, issuedAtSeconds: Math.floor(Date.now() / 1000) - 60 };
    // The store read of a request with the old token is slow; the change lands during it.
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let calls = 0;
    const live = new LiveAccounts({
      findById: async (id: string): Promise<UserRecord | null> => {
        calls += 1;
        const seen = await stores.users.findById(id);
        if (calls === 1) await gate;
        return seen;
      },
    });
    const inFlight = live.accepts(oldToken);
    await new Promise((resolve) => setImmediate(resolve));
    await stores.users.setPasswordHash(user.id, { from: 'h1', to: 'h2' });
    live.forget(user.id);
    release();
    // The request that started before the change is let through, as it began...
    expect(await inFlight).toBe(true);
    // ...but what it read is not remembered: the old token is refused from now on.
    expect(live.acceptsKnown(oldToken)).toBe(false);
    expect(await live.accepts(oldToken)).toBe(false);
    expect(calls).toBe(2);
  });
});
