import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GATEWAY_API } from '@docuthinker/contracts';
import { createServiceLogger } from '@docuthinker/runtime';
import {
  embeddedTokenRevocationsPath,
  LibsqlTokensValidFrom,
} from '@docuthinker/runtime/embedded-token-revocations';
import { createStores, type Stores } from '@docuthinker/stores';
/* eslint-disable @nx/enforce-module-boundaries -- both apps in one process, as `npm start` runs
   them on one machine; here so that neither app's project depends on the other */
import { REVOCATION_FRESH_MS } from '../../aiml-gateway/src/auth/token-revocation-check';
import { startTestGateway, type TestGateway } from '../../aiml-gateway/test/support/test-gateway';
import { embeddedTokensValidFrom } from '../../backend/src/auth/embedded-tokens-valid-from';
import { type ApiClient, uniqueEmail } from '../../backend/test/support/api-client';
/* eslint-enable @nx/enforce-module-boundaries */
import { startRevokingBackend, type RevokingBackend } from './support/revoking-backend';

/**
 * Revocations on embedded defaults (no REDIS_URL): the backend writes them to
 * the record in the data directory, and the gateway beside it reads that
 * file. Found in review: without it an erased account's token still indexed
 * documents at the gateway for its whole lifetime.
 */
describe('on embedded defaults, a password change or deletion at the backend revokes the token at the gateway', () => {
  let dataDir: string;
  let stores: Stores;
  let backendRecord: ReturnType<typeof embeddedTokensValidFrom>;
  let gatewayRecord: LibsqlTokensValidFrom;
  let backend: RevokingBackend;
  let api: ApiClient;
  let gateway: TestGateway;
  let gatewayClockMs = Date.now();

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'dt-token-revocation-embedded-'));
    stores = await createStores({ dataDir });
    backendRecord = embeddedTokensValidFrom(dataDir);
    backend = await startRevokingBackend({
      stores,
      logger: createServiceLogger({ service: 'backend', level: 'silent', secretValues: [] }),
      tokensValidFrom: backendRecord.record,
    });
    api = backend.api;
    // The gateway's own connection to the file, as a second process has.
    gatewayRecord = new LibsqlTokensValidFrom(embeddedTokenRevocationsPath(dataDir));
    gateway = await startTestGateway({
      tokenRevocations: { source: gatewayRecord, now: () => gatewayClockMs },
    });
  }, 60_000);
  afterAll(async () => {
    await backend?.close();
    await gateway?.close();
    await gatewayRecord?.close();
    await backendRecord?.close();
    await stores?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const gatewayIndexes = (token: string, documentId: string) =>
    gateway.app.inject({
      method: 'POST',
      url: GATEWAY_API.index,
      headers: { authorization: `Bearer ${token}` },
      payload: { documentId, title: 'zombie', text: 'A text indexed with a revoked token.' },
    });
  const passTheStalenessBound = () => (gatewayClockMs += REVOCATION_FRESH_MS);

  it("refuses a deleted account's token", async () => {
    const victim = await api.registerUser(uniqueEmail('embedded-deleted'), 'correct horse battery');
    const token = victim.token as string;
    expect((await gatewayIndexes(token, 'd-1')).statusCode).toBe(200);

    expect((await victim.delete('/api/me')).status).toBe(204);
    passTheStalenessBound();
    const refused = await gatewayIndexes(token, 'd-2');
    expect(refused.statusCode).toBe(401);
    expect(refused.json().code).toBe('DT_ERR_UNAUTHENTICATED');
  });

  it('refuses the tokens from before a password change, and takes one from after it', async () => {
    const email = uniqueEmail('embedded-changed');
    const victim = await api.registerUser(email, 'correct horse battery');
    const stolen = victim.token as string;
    expect((await gatewayIndexes(stolen, 'c-1')).statusCode).toBe(200);

    const changed = await victim.put('/api/me/password', {
      currentPassword: 'correct horse battery',
      newPassword: 'staple battery horse',
    });
    expect(changed.status).toBe(204);
    passTheStalenessBound();
    expect((await gatewayIndexes(stolen, 'c-2')).statusCode).toBe(401);

    const login = await api.post<{ accessToken: string }>('/api/auth/login', {
      email,
      password: 'staple battery horse',
    });
    expect(login.status).toBe(200);
    expect((await gatewayIndexes(login.body.accessToken, 'c-3')).statusCode).toBe(200);
  });
});
