import { ApiClient, expectProblem, uniqueEmail, type ApiAnswer } from './support/api-client';
import { startFakeGateway, type FakeGateway } from './support/fake-gateway';
import { SERVICE_TOKEN, startBackend, type RunningBackend } from './support/start-backend';

/** Other spellings of a token that jose took as the token itself (panva/jose#589). */
function respellings(token: string): Array<[spelling: string, token: string]> {
  const [header, payload, signature = ''] = token.split('.');
  const starred = `${signature.slice(0, 10)}*${signature.slice(10)}`;
  return [
    ['!!! appended', `${token}!!!`],
    ['a comma appended', `${token},`],
    ['padding appended', `${token}==`],
    ['a * inside the signature', `${header}.${payload}.${starred}`],
  ];
}

/** A problem answer without what differs between any two requests. */
function refusal(answer: ApiAnswer) {
  return {
    status: answer.status,
    contentType: answer.headers.get('content-type'),
    wwwAuthenticate: answer.headers.get('www-authenticate'),
    body: withoutPerRequestFields(answer.body),
  };
}

function withoutPerRequestFields(problem: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(problem).filter(([name]) => name !== 'instance' && name !== 'requestId'),
  );
}

// Found in review: Node's base64url decoder skips characters outside the
// alphabet, so a valid token with junk added verified too, and each spelling
// was remembered by the verified-token cache as a token of its own.
describe('a valid access token spelled otherwise', () => {
  let gateway: FakeGateway;
  let backend: RunningBackend;
  let api: ApiClient;

  beforeAll(async () => {
    gateway = await startFakeGateway(SERVICE_TOKEN);
    backend = await startBackend({ gatewayUrl: gateway.url });
    api = new ApiClient(backend.url);
  });
  afterAll(async () => {
    await backend.close();
    await gateway.stop();
  });

  it('is refused with 401 as any invalid token, and the token itself still works', async () => {
    const user = await api.registerUser(uniqueEmail('respelled'));
    const token = user.token ?? '';
    // Verified and remembered first: a respelling must not ride on the cache.
    expect((await user.get('/api/me')).status).toBe(200);
    const invalid = refusal(await api.as('not-a-token').get('/api/me'));
    expect(invalid).toMatchObject({ status: 401, wwwAuthenticate: 'Bearer' });
    for (const [spelling, respelled] of respellings(token)) {
      const answer = await api.as(respelled).get('/api/me');
      expectProblem(answer, 401, 'DT_ERR_UNAUTHENTICATED');
      expect({ spelling, ...refusal(answer) }).toEqual({ spelling, ...invalid });
    }
    expect((await user.get('/api/me')).status).toBe(200);
  });

  it('is refused by the cached listing as by Express, however warm the listing is', async () => {
    const user = await api.registerUser(uniqueEmail('respelled-listing'));
    expect((await user.post('/api/documents', { title: 'Mine', text: 'Text.' })).status).toBe(201);
    // Twice: the second answer is the cache's, before Express.
    expect((await user.get('/api/documents')).status).toBe(200);
    expect((await user.get('/api/documents')).status).toBe(200);
    for (const [spelling, respelled] of respellings(user.token ?? '')) {
      // Twice too: a respelling refused once is not remembered either.
      for (const attempt of [1, 2]) {
        const answer = await api.as(respelled).get('/api/documents');
        expect({ spelling, attempt, status: answer.status }).toEqual({
          spelling,
          attempt,
          status: 401,
        });
        expectProblem(answer, 401, 'DT_ERR_UNAUTHENTICATED');
        expect(answer.headers.get('www-authenticate')).toBe('Bearer');
      }
    }
    expect((await user.get('/api/documents')).status).toBe(200);
  });
});
