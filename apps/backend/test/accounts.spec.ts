import { ApiClient, expectProblem, uniqueEmail } from './support/api-client';
import { startFakeGateway, type FakeGateway } from './support/fake-gateway';
import {
  JWT_SECRET,
  SERVICE_TOKEN,
  startBackend,
  type RunningBackend,
} from './support/start-backend';
import { SignJWT, decodeJwt } from 'jose';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from '@docuthinker/contracts';
import { UNAUTHENTICATED_DETAIL } from '../src/middleware/authenticate';

describe('accounts over HTTP', () => {
  let gateway: FakeGateway;
  let backend: RunningBackend;
  let api: ApiClient;

  beforeAll(async () => {
    gateway = await startFakeGateway(SERVICE_TOKEN);
    backend = await startBackend({
      gatewayUrl: gateway.url,
      loginLimits: {
        perIp: { points: 1000, windowSeconds: 60 },
        perEmail: { points: 3, windowSeconds: 60 },
      },
    });
    api = new ApiClient(backend.url);
  });
  afterAll(async () => {
    await backend.close();
    await gateway.stop();
  });

  it('registers with 201, a user and a 15-minute access token with issuer and audience', async () => {
    const email = uniqueEmail('register');
    const answer = await api.post<{
      user: { id: string; email: string; createdAt: string };
      accessToken: string;
      expiresIn: number;
    }>('/api/auth/register', { email, password: 'long enough' });

    expect(answer.status).toBe(201);
    expect(answer.body.user).toEqual({
      id: expect.any(String),
      email,
      createdAt: expect.any(String),
    });
    expect(answer.body.expiresIn).toBe(900);
    const claims = decodeJwt(answer.body.accessToken);
    expect(claims).toMatchObject({
      sub: answer.body.user.id,
      iss: ACCESS_TOKEN_ISSUER,
      aud: ACCESS_TOKEN_AUDIENCE,
    });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBeLessThanOrEqual(15 * 60);
    expect(answer.text).not.toContain('long enough');
    expect(answer.text).not.toMatch(/passwordHash|argon2/);
  });

  // Found by an exploratory test: the gateway took these headers, the backend refused them.
  it('reads the Authorization header as the gateway does: scheme in any case, then spaces', async () => {
    const email = uniqueEmail('bearer-spacing');
    const registered = await api.post<{ accessToken: string }>('/api/auth/register', {
      email,
      password: 'long enough',
    });
    const { accessToken } = registered.body;
    for (const authorization of [`Bearer  ${accessToken}`, `bearer\t${accessToken}`]) {
      expect((await api.request('GET', '/api/me', { headers: { authorization } })).status).toBe(
        200,
      );
    }
    for (const authorization of [`Bearer${accessToken}`, `Bearer ${accessToken} extra`]) {
      expect((await api.request('GET', '/api/me', { headers: { authorization } })).status).toBe(
        401,
      );
    }
  });

  it('stores an argon2id hash, never the password', async () => {
    const email = uniqueEmail('hash');
    await api.registerUser(email, 'my secret words');
    const user = await backend.stores.users.findByEmail(email);
    expect(user?.passwordHash).toMatch(/^nfkc:\$argon2id\$/);
    expect(user?.passwordHash).not.toContain('my secret words');
  });

  it('answers 409 for an email that exists, whatever its case', async () => {
    const email = uniqueEmail('taken');
    await api.registerUser(email);
    const again = await api.post('/api/auth/register', {
      email: email.toUpperCase(),
      password: 'another password',
    });
    expectProblem(again, 409, 'DT_ERR_EMAIL_TAKEN');
  });

  // Found in an exploratory test: an address at an international domain was refused.
  it('takes an address at an international domain, stored as written, signed in with either spelling', async () => {
    const local = uniqueEmail('idn').split('@')[0];
    const email = `${local}@exämple.com`;
    const registered = await api.post<{ user: { email: string } }>('/api/auth/register', {
      email,
      password: 'long enough',
    });
    expect(registered.status).toBe(201);
    expect(registered.body.user.email).toBe(email);
    for (const spelling of [email, `${local}@xn--exmple-cua.com`, `${local}@EXÄMPLE.COM`]) {
      const login = await api.post('/api/auth/login', { email: spelling, password: 'long enough' });
      expect({ spelling, status: login.status }).toEqual({ spelling, status: 200 });
    }
    const again = await api.post('/api/auth/register', {
      email: `${local}@xn--exmple-cua.com`,
      password: 'another password',
    });
    expectProblem(again, 409, 'DT_ERR_EMAIL_TAKEN');
    // IDNA reads an ideographic full stop as a dot, and the address is kept
    // canonical (review); an internationalised top-level domain is taken too
    // (a test: refused as no address).
    const cyrillic = await api.post<{ user: { email: string } }>('/api/auth/register', {
      email: `${local}@пример。рф`,
      password: 'long enough',
    });
    expect(cyrillic.body.user.email).toBe(`${local}@пример.рф`);
    const punycode = await api.post('/api/auth/login', {
      email: `${local}@xn--e1afmkfd.xn--p1ai`,
      password: 'long enough',
    });
    expect(punycode.status).toBe(200);
    const localPart = await api.post('/api/auth/register', {
      email: 'josé@example.com',
      password: 'long enough',
    });
    expectProblem(localPart, 400, 'DT_ERR_VALIDATION');
  });

  it.each([
    ['an invalid email', { email: 'not-an-email', password: 'long enough' }, 'email'],
    ['a short password', { email: 'short@example.com', password: 'seven77' }, 'password'],
    [
      'a password of spaces',
      { email: 'spaces@example.com', password: ' \t'.repeat(6) },
      'password',
    ],
    // Found in an exploratory test: as good as eight spaces.
    ...[
      ['NULs', '\u0000'],
      ['zero-width spaces', '\u200b'],
      ['bidirectional controls', '\u202e'],
      ['soft hyphens', '\u00ad'],
    ].map(([name, character]): [string, Record<string, unknown>, string] => [
      `a password of ${name}`,
      { email: 'invisible@example.com', password: String(character).repeat(8) },
      'password',
    ]),
    ['a missing password', { email: 'missing@example.com' }, 'password'],
    ['a number as email', { email: 42, password: 'long enough' }, 'email'],
    // Found by an exploratory test: hashed as UTF-8, half a surrogate pair
    // became U+FFFD, and any other such password of the same shape matched.
    [
      'a password of eight code units but four characters once normalized',
      { email: 'combining@example.com', password: 'e\u0301'.repeat(4) },
      'password',
    ],
    [
      'a password holding half a surrogate pair',
      { email: 'surrogate@example.com', password: '\ud800abcdefgh' },
      'password',
    ],
  ])('answers 400 for %s, naming the field', async (_case, body, field) => {
    const answer = await api.post<{ errors: { path: string }[] }>('/api/auth/register', body);
    expectProblem(answer, 400, 'DT_ERR_VALIDATION');
    expect(answer.body.errors.map((error) => error.path)).toContain(field);
  });

  it('logs in with the same shape, and answers unknown email and wrong password alike', async () => {
    const email = uniqueEmail('login');
    await api.registerUser(email, 'right password');
    const ok = await api.post<{ user: { email: string }; accessToken: string }>('/api/auth/login', {
      email,
      password: 'right password',
    });
    expect(ok.status).toBe(200);
    expect(ok.body.user.email).toBe(email);

    const wrong = await api.post<{ detail?: string; title: string }>('/api/auth/login', {
      email,
      password: 'wrong password',
    });
    const unknown = await api.post<{ detail?: string; title: string }>('/api/auth/login', {
      email: uniqueEmail('nobody'),
      password: 'wrong password',
    });
    expectProblem(wrong, 401, 'DT_ERR_INVALID_CREDENTIALS');
    expectProblem(unknown, 401, 'DT_ERR_INVALID_CREDENTIALS');
    expect([wrong.body.title, wrong.body.detail]).toEqual([
      unknown.body.title,
      unknown.body.detail,
    ]);
  });

  it('takes a password in any Unicode form it was typed in (accents composed or not, full-width digits)', async () => {
    const email = uniqueEmail('unicode');
    await api.registerUser(email, 'caf\u00e9 au lait 123');
    const typedElsewhere = await api.post('/api/auth/login', {
      email,
      password: 'cafe\u0301 au lait \uff11\uff12\uff13',
    });
    expect(typedElsewhere.status).toBe(200);
    expectProblem(
      await api.post('/api/auth/login', { email, password: 'cafe au lait 123' }),
      401,
      'DT_ERR_INVALID_CREDENTIALS',
    );
  });

  it('rate-limits login per email with 429 and Retry-After', async () => {
    const email = uniqueEmail('limited');
    await api.registerUser(email, 'right password');
    const statuses: number[] = [];
    let last = await api.post('/api/auth/login', { email, password: 'wrong password' });
    statuses.push(last.status);
    for (let attempt = 1; attempt < 4; attempt += 1) {
      last = await api.post('/api/auth/login', { email, password: 'wrong password' });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    expectProblem(last, 429, 'DT_ERR_RATE_LIMITED');
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
    // Even the right password waits out the window: the limit is per account, not per failure.
    const right = await api.post('/api/auth/login', { email, password: 'right password' });
    expect(right.status).toBe(429);
  });

  it("counts every spelling of one account's email (case, full-width letters) against one limit", async () => {
    const email = uniqueEmail('spelling');
    await api.registerUser(email, 'right password');
    // Full-width letters normalise (NFKC) to the same account as the plain address.
    const fullWidth = (text: string) =>
      text.replace(/[a-z]/g, (letter) => String.fromCharCode(letter.charCodeAt(0) + 0xfee0));
    const [local = '', domain = ''] = email.split('@');
    const spellings = [
      email,
      email.toUpperCase(),
      `${fullWidth(local.slice(0, 1))}${local.slice(1)}@${domain}`,
      `${fullWidth(local)}@${domain}`,
    ];
    const statuses: number[] = [];
    for (const spelling of spellings) {
      statuses.push(
        (await api.post('/api/auth/login', { email: spelling, password: 'wrong' })).status,
      );
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    const right = await api.post('/api/auth/login', {
      email: spellings[3],
      password: 'right password',
    });
    expect(right.status).toBe(429);
  });

  it('counts wrong current passwords against a per-account limit of their own, which logins do not share', async () => {
    const email = uniqueEmail('password-guesses');
    const user = await api.registerUser(email, 'right password');
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 4; attempt += 1) {
      const answer = await user.put('/api/me/password', {
        currentPassword: `guess ${attempt}`,
        newPassword: 'another password',
      });
      statuses.push(answer.status);
      if (answer.status === 429) {
        expectProblem(answer, 429, 'DT_ERR_RATE_LIMITED');
        expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
      }
    }
    expect(statuses).toEqual([403, 403, 403, 429]);
    // The right password waits out the window too; logins count on their own
    // (others' failed logins must not keep the owner from changing it either).
    const right = await user.put('/api/me/password', {
      currentPassword: 'right password',
      newPassword: 'another password',
    });
    expect(right.status).toBe(429);
    expect((await api.post('/api/auth/login', { email, password: 'right password' })).status).toBe(
      200,
    );
  });

  it('shows, merges and updates the profile', async () => {
    const email = uniqueEmail('profile');
    const user = await api.registerUser(email);
    const me = await user.get('/api/me');
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      id: expect.any(String),
      email,
      createdAt: expect.any(String),
      daysSinceJoined: 0,
      documentCount: 0,
      theme: 'light',
      socialMedia: {},
    });

    await user.patch('/api/me', { socialMedia: { github: 'https://github.com/me' } });
    const patched = await user.patch('/api/me', {
      theme: 'dark',
      socialMedia: { twitter: 'https://x.com/me' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      theme: 'dark',
      socialMedia: { github: 'https://github.com/me', twitter: 'https://x.com/me' },
    });
    expectProblem(await user.patch('/api/me', { theme: 'blue' }), 400, 'DT_ERR_VALIDATION');
    expectProblem(await user.patch('/api/me', { email: 'x@y.z' }), 400, 'DT_ERR_VALIDATION');
  });

  it('changes the password only with the current one', async () => {
    const email = uniqueEmail('password');
    const user = await api.registerUser(email, 'first password');
    expectProblem(
      await user.put('/api/me/password', {
        currentPassword: 'not it',
        newPassword: 'second password',
      }),
      403,
      'DT_ERR_CURRENT_PASSWORD_WRONG',
    );
    expectProblem(
      await user.put('/api/me/password', {
        currentPassword: 'first password',
        newPassword: 'short',
      }),
      400,
      'DT_ERR_VALIDATION',
    );
    const changed = await user.put('/api/me/password', {
      currentPassword: 'first password',
      newPassword: 'second password',
    });
    expect(changed.status).toBe(204);
    expect((await api.post('/api/auth/login', { email, password: 'first password' })).status).toBe(
      401,
    );
    expect((await api.post('/api/auth/login', { email, password: 'second password' })).status).toBe(
      200,
    );
  });

  it('signs out every session when the password changes', async () => {
    const email = uniqueEmail('sign-out');
    const user = await api.registerUser(email, 'first password');
    const userId = String(decodeJwt(user.token ?? '').sub);
    // A session signed in a minute ago (a token issued then), in use: both caches know it.
    const issuedAt = Math.floor(Date.now() / 1000) - 60;
    const earlier = api.as(
      await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(userId)
        .setIssuer(ACCESS_TOKEN_ISSUER)
        .setAudience(ACCESS_TOKEN_AUDIENCE)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + 900)
        .sign(new TextEncoder().encode(JWT_SECRET)),
    );
    expect((await earlier.get('/api/me')).status).toBe(200);
    expect((await earlier.get('/api/documents')).status).toBe(200);

    const changed = await user.put('/api/me/password', {
      currentPassword: 'first password',
      newPassword: 'second password',
    });
    expect(changed.status).toBe(204);
    // Refused at once, on the cached listing's fast path as on every route.
    const refused = await earlier.get('/api/me');
    expectProblem(refused, 401, 'DT_ERR_UNAUTHENTICATED');
    expect(refused.body).toMatchObject({ detail: UNAUTHENTICATED_DETAIL });
    expect(UNAUTHENTICATED_DETAIL).toContain('15 minutes');
    expectProblem(await earlier.get('/api/documents'), 401, 'DT_ERR_UNAUTHENTICATED');
    const signedIn = await api.post<{ accessToken: string }>('/api/auth/login', {
      email,
      password: 'second password',
    });
    expect(signedIn.status).toBe(200);
    expect((await api.as(signedIn.body.accessToken).get('/api/me')).status).toBe(200);
  });

  it('signs out tokens issued in the second of the change too, the changing one included', async () => {
    const email = uniqueEmail('same-second');
    const user = await api.registerUser(email, 'first password');
    const userId = String(decodeJwt(user.token ?? '').sub);
    // Early in a second, so that the change below lands in it too.
    while (Date.now() % 1000 > 200) await new Promise((resolve) => setTimeout(resolve, 10));
    // Dated this very second, before the change: whole-second `iat`s made
    // such a token (an attacker logging in every 200 ms always had one) outlive it.
    const thisSecond = api.as(
      await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(userId)
        .setIssuer(ACCESS_TOKEN_ISSUER)
        .setAudience(ACCESS_TOKEN_AUDIENCE)
        .setIssuedAt(Math.floor(Date.now() / 1000))
        .setExpirationTime(Math.floor(Date.now() / 1000) + 900)
        .sign(new TextEncoder().encode(JWT_SECRET)),
    );
    expect((await thisSecond.get('/api/me')).status).toBe(200);
    expect(
      (
        await user.put('/api/me/password', {
          currentPassword: 'first password',
          newPassword: 'second password',
        })
      ).status,
    ).toBe(204);
    expectProblem(await thisSecond.get('/api/me'), 401, 'DT_ERR_UNAUTHENTICATED');
    expectProblem(await user.get('/api/me'), 401, 'DT_ERR_UNAUTHENTICATED');
    // A login straight after is dated after the change, and works at once.
    const signedIn = await api.post<{ accessToken: string }>('/api/auth/login', {
      email,
      password: 'second password',
    });
    expect(signedIn.status).toBe(200);
    expect((await api.as(signedIn.body.accessToken).get('/api/me')).status).toBe(200);
    const { iat } = decodeJwt(signedIn.body.accessToken);
    const changedAt = (await backend.stores.users.findById(userId))?.tokensValidFrom?.getTime();
    expect(Number(iat) * 1000).toBeGreaterThan(changedAt ?? Number.POSITIVE_INFINITY);
  });

  it('refuses missing, malformed, foreign-signed, expired, wrong-audience, future-dated and long-lived tokens', async () => {
    const user = await api.registerUser(uniqueEmail('tokens'));
    const claims = decodeJwt(user.token ?? '');
    const sign = (
      secret: string,
      audience: string,
      expiresAt: number,
      issuedAt = expiresAt - 600,
    ) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(String(claims.sub))
        .setIssuer(ACCESS_TOKEN_ISSUER)
        .setAudience(audience)
        .setIssuedAt(issuedAt)
        .setExpirationTime(expiresAt)
        .sign(new TextEncoder().encode(secret));
    const now = Math.floor(Date.now() / 1000);
    const tokens = [
      'garbage',
      await sign('another-secret-another-secret-another', ACCESS_TOKEN_AUDIENCE, now + 600),
      await sign(JWT_SECRET, ACCESS_TOKEN_AUDIENCE, now - 10),
      await sign(JWT_SECRET, 'someone-else', now + 600),
      // Signed with the key, but not as the backend issues them: dated an
      // hour ahead (it would survive the password changes before then), or
      // living ten years (it would outlast every revocation).
      await sign(JWT_SECRET, ACCESS_TOKEN_AUDIENCE, now + 4200, now + 3600),
      await sign(JWT_SECRET, ACCESS_TOKEN_AUDIENCE, now + 10 * 365 * 86400, now),
    ];
    expectProblem(await api.get('/api/me'), 401, 'DT_ERR_UNAUTHENTICATED');
    for (const token of tokens) {
      const answer = await api.as(token).get('/api/me');
      expectProblem(answer, 401, 'DT_ERR_UNAUTHENTICATED');
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
    }
    expect(
      (await api.as(await sign(JWT_SECRET, ACCESS_TOKEN_AUDIENCE, now + 600)).get('/api/me'))
        .status,
    ).toBe(200);
  });

  it('deletes the account with everything it owns; its token stops working', async () => {
    const email = uniqueEmail('leaving');
    const user = await api.registerUser(email);
    const upload = await user.post<{ id: string }>('/api/documents', {
      title: 'Mine',
      text: 'A document that goes with its owner.',
    });
    expect(upload.status).toBe(201);
    const userId = (await backend.stores.users.findByEmail(email))?.id ?? '';

    // Something cached for the user: an AI result derived from their text, a listing page.
    const written = jest.spyOn(backend.stores.cache, 'set');
    let usersKeys: string[];
    try {
      expect(
        (await user.post('/api/ai/summary', { text: 'Falcon revenue rose 40 percent.' })).status,
      ).toBe(200);
      expect((await user.get('/api/documents')).status).toBe(200);
      usersKeys = written.mock.calls.map(([key]) => key).filter((key) => key.includes(userId));
    } finally {
      written.mockRestore();
    }
    expect(usersKeys.some((key) => key.startsWith(`ai:${userId}:`))).toBe(true);
    const stillCached = async () => {
      const found: string[] = [];
      for (const key of usersKeys) {
        if ((await backend.stores.cache.get(key)) !== undefined) found.push(key);
      }
      return found;
    };
    expect(await stillCached()).toEqual(usersKeys);

    // Only the exact path deletes the account.
    expectProblem(await user.delete('/api/me/'), 404, 'DT_ERR_ROUTE_NOT_FOUND');
    expect((await user.get('/api/me')).status).toBe(200);
    expect((await user.delete('/api/me')).status).toBe(204);
    expect(await stillCached()).toEqual([]);
    expect(await backend.stores.users.findByEmail(email)).toBeNull();
    expect(await backend.stores.documents.count(userId)).toBe(0);
    expectProblem(await user.get('/api/me'), 401, 'DT_ERR_UNAUTHENTICATED');
    expect(
      (await api.post('/api/auth/login', { email, password: 'correct horse battery' })).status,
    ).toBe(401);
  });

  it('never writes passwords or tokens to the logs', async () => {
    const email = uniqueEmail('quiet');
    const user = await api.registerUser(email, 'password-that-must-not-be-logged');
    await api.post('/api/auth/login', { email, password: 'password-that-must-not-be-logged' });
    await user.get('/api/me');
    const logs = backend.logs();
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain('password-that-must-not-be-logged');
    expect(logs).not.toContain(user.token ?? 'no token');
    expect(logs).not.toContain(JWT_SECRET);
  });
});

describe('login rate limit per IP', () => {
  let gateway: FakeGateway;
  let backend: RunningBackend;

  beforeAll(async () => {
    gateway = await startFakeGateway(SERVICE_TOKEN);
    backend = await startBackend({
      gatewayUrl: gateway.url,
      loginLimits: {
        perIp: { points: 12, windowSeconds: 60 },
        perEmail: { points: 3, windowSeconds: 60 },
      },
    });
  });
  afterAll(async () => {
    await backend.close();
    await gateway.stop();
  });

  it('answers 429 once one address has tried too many emails', async () => {
    const api = new ApiClient(backend.url);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 14; attempt += 1) {
      const answer = await api.post('/api/auth/login', {
        email: uniqueEmail('spray'),
        password: 'guess',
      });
      statuses.push(answer.status);
    }
    expect(statuses.slice(0, 12)).toEqual(Array(12).fill(401));
    expect(statuses.slice(12)).toEqual([429, 429]);
  });
});

describe('registration rate limit per IP', () => {
  let gateway: FakeGateway;
  let backend: RunningBackend;

  beforeAll(async () => {
    gateway = await startFakeGateway(SERVICE_TOKEN);
    backend = await startBackend({
      gatewayUrl: gateway.url,
      registrationLimit: { points: 3, windowSeconds: 60 },
    });
  });
  afterAll(async () => {
    await backend.close();
    await gateway.stop();
  });

  const register = (email: string, clientAddress: string) =>
    new ApiClient(backend.url).request('POST', '/api/auth/register', {
      json: { email, password: 'long enough' },
      headers: { 'x-forwarded-for': clientAddress },
    });

  it('answers 429 with Retry-After once one address has used its sign-ups, creates nothing, and still serves other addresses', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      statuses.push((await register(uniqueEmail('flood'), '203.0.113.7')).status);
    }
    expect(statuses).toEqual([201, 201, 201]);

    const refusedEmail = uniqueEmail('refused');
    const refused = await register(refusedEmail, '203.0.113.7');
    expectProblem(refused, 429, 'DT_ERR_RATE_LIMITED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await backend.stores.users.findByEmail(refusedEmail)).toBeNull();

    // The refused email is still free, from an address with sign-ups left.
    expect((await register(refusedEmail, '198.51.100.4')).status).toBe(201);
  });
});
