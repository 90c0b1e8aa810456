import { request as httpRequest } from 'node:http';
import { ApiClient, expectProblem, uniqueEmail } from './support/api-client';
import { startFakeGateway, type FakeGateway } from './support/fake-gateway';
import { SERVICE_TOKEN, startBackend, type RunningBackend } from './support/start-backend';

/**
 * Found in an exploratory test: `DELETE /api/documents` with a body naming
 * one document deleted all of them, so did `?id=`, and `DELETE /api/me?dryRun=true`
 * erased the account. A query or body an operation does not declare is a 400
 * before anything happens.
 */
describe('request parts an operation does not declare', () => {
  let gateway: FakeGateway;
  let backend: RunningBackend;
  let user: ApiClient;
  let documentIds: string[];

  beforeAll(async () => {
    gateway = await startFakeGateway(SERVICE_TOKEN);
    backend = await startBackend({ gatewayUrl: gateway.url });
    user = await new ApiClient(backend.url).registerUser(uniqueEmail('undeclared'));
    documentIds = [];
    for (const title of ['One', 'Two']) {
      const created = await user.post<{ id: string }>('/api/documents', {
        title,
        text: `${title} kept safe.`,
      });
      documentIds.push(created.body.id);
    }
  });
  afterAll(async () => {
    await backend.close();
    await gateway.stop();
  });

  /** A request fetch cannot send (a GET with a body, a length of `00`), over node:http. */
  const raw = (method: string, path: string, headers: Record<string, string>, body = '') =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const sent = httpRequest(
        `${backend.url}${path}`,
        { method, headers: { authorization: `Bearer ${user.token}`, ...headers } },
        (response) => {
          let text = '';
          response.on('data', (chunk) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
        },
      );
      sent.on('error', reject);
      sent.end(body);
    });

  const listed = async () =>
    (await user.get<{ items: { id: string }[] }>('/api/documents')).body.items.map(({ id }) => id);

  it('refuses a bulk delete with a body or a query, deleting nothing', async () => {
    const [one] = documentIds;
    const withBody = await user.request('DELETE', '/api/documents', { json: { ids: [one] } });
    expectProblem(withBody, 400, 'DT_ERR_VALIDATION');
    expect(withBody.body['detail']).toBe('This operation takes no request body.');
    const withQuery = await user.request('DELETE', `/api/documents?id=${one}`);
    expectProblem(withQuery, 400, 'DT_ERR_VALIDATION');
    expect(withQuery.body['errors']).toEqual([
      { path: 'id', message: 'is not a parameter of this operation' },
    ]);
    expect((await listed()).sort()).toEqual([...documentIds].sort());
  });

  it('refuses an account deletion with a query, erasing nothing', async () => {
    expectProblem(await user.request('DELETE', '/api/me?dryRun=true'), 400, 'DT_ERR_VALIDATION');
    expect((await user.get('/api/me')).status).toBe(200);
  });

  it('refuses a query on any operation that declares none, and takes the declared ones', async () => {
    const [one] = documentIds;
    for (const [method, path] of [
      ['GET', `/api/documents/${one}?fields=title`],
      ['GET', `/api/documents/${one}/file?download=1`],
      ['PATCH', `/api/documents/${one}?x=1`],
      ['POST', '/api/ai/summary?x=1'],
    ] as const) {
      const answer = await user.request(method, path, method === 'GET' ? {} : { json: {} });
      expectProblem(answer, 400, 'DT_ERR_VALIDATION');
    }
    // Declared: the listing's and search's queries; /search is also /{id}.
    expect((await user.get('/api/documents?limit=1')).status).toBe(200);
    expect((await user.get('/api/documents/search?q=kept')).status).toBe(200);
    expect((await user.get(`/API/Documents/${one}`)).status).toBe(200);
  });

  // Found in review: a cached listing answered 200 where Express answers 400.
  it('answers a listing with a body 400 whether or not the listing is cached', async () => {
    for (let round = 0; round < 2; round += 1) {
      expect((await user.get('/api/documents')).status).toBe(200);
      const withBody = await raw(
        'GET',
        '/api/documents',
        { 'content-type': 'application/json', 'content-length': '2' },
        '{}',
      );
      expect(withBody.status).toBe(400);
    }
  });

  it('takes `?` and `?&` alone, which name no parameter', async () => {
    const [one] = documentIds;
    expect((await user.get(`/api/documents/${one}?`)).status).toBe(200);
    expect((await user.get(`/api/documents/${one}?&`)).status).toBe(200);
  });

  it('takes a delete without a body, also one that says its length is 0', async () => {
    const [, two] = documentIds;
    const answer = await raw('DELETE', `/api/documents/${two}`, { 'content-length': '00' });
    expect(answer.status).toBe(204);
  });
});
