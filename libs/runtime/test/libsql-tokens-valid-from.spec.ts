import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  embeddedTokenRevocationsPath,
  LibsqlTokensValidFrom,
} from '../src/token-revocation/libsql-tokens-valid-from';
import { NO_TOKEN_VALID_FROM } from '../src/token-revocation/redis-tokens-valid-from';

const TTL_SECONDS = 960;

/**
 * The record without Redis: the backend's writes, read by the gateway's own
 * connection to the same file (two processes under `npm start`), with the
 * Redis record's semantics (raise only, expiry).
 */
describe('LibsqlTokensValidFrom', () => {
  let dataDir: string;
  let clock: { nowMs: number };
  let backend: LibsqlTokensValidFrom;
  let gateway: LibsqlTokensValidFrom;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'tokens-valid-from-'));
    clock = { nowMs: Date.UTC(2026, 10, 30, 12) };
    const file = embeddedTokenRevocationsPath(dataDir);
    backend = new LibsqlTokensValidFrom(file, { now: () => clock.nowMs });
    gateway = new LibsqlTokensValidFrom(file, { now: () => clock.nowMs });
  });
  afterEach(async () => {
    await backend.close();
    await gateway.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("gives the gateway's connection what the backend's wrote, until it expires", async () => {
    expect(await gateway.read('ada')).toBeUndefined();
    await backend.raise('ada', 1_700_000_000, TTL_SECONDS);
    expect(await gateway.read('ada')).toBe(1_700_000_000);
    expect(await gateway.read('nobody')).toBeUndefined();
    clock.nowMs += TTL_SECONDS * 1000 - 1;
    expect(await gateway.read('ada')).toBe(1_700_000_000);
    clock.nowMs += 1;
    expect(await gateway.read('ada')).toBeUndefined();
  });

  it('only ever raises a live second, so crossing writes keep the later one', async () => {
    await backend.raise('bo', 200, TTL_SECONDS);
    await gateway.raise('bo', 100, TTL_SECONDS);
    expect(await gateway.read('bo')).toBe(200);
    await backend.raise('bo', 300, TTL_SECONDS);
    expect(await gateway.read('bo')).toBe(300);
    // Once it has expired, any value is written afresh (Redis's key is gone by then too).
    clock.nowMs += TTL_SECONDS * 1000;
    await backend.raise('bo', 100, TTL_SECONDS);
    expect(await gateway.read('bo')).toBe(100);
  });

  it('refuses every token of a deleted account, and a password change published later does not undo it', async () => {
    await backend.raise('cy', 300, TTL_SECONDS);
    await backend.refuseAll('cy', TTL_SECONDS);
    expect(await gateway.read('cy')).toBe(NO_TOKEN_VALID_FROM);
    await backend.raise('cy', Math.floor(clock.nowMs / 1000), TTL_SECONDS);
    expect(await gateway.read('cy')).toBe(NO_TOKEN_VALID_FROM);
  });

  it('removes expired revocations as it writes, so the file holds one token lifetime of them', async () => {
    for (let user = 0; user < 50; user += 1) await backend.raise(`old-${user}`, 1, TTL_SECONDS);
    clock.nowMs += TTL_SECONDS * 1000;
    await backend.raise('new', 2, TTL_SECONDS);
    const rows = new LibsqlTokensValidFrom(embeddedTokenRevocationsPath(dataDir), {
      now: () => 0, // reads every row, expired or not
    });
    try {
      expect(await rows.read('old-0')).toBeUndefined();
      expect(await rows.read('new')).toBe(2);
    } finally {
      await rows.close();
    }
  });
});
