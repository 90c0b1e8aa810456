import { gzipSync } from 'node:zlib';
import { ApiClient, uniqueEmail } from './support/api-client';
import { startFakeGateway, type FakeGateway } from './support/fake-gateway';
import { SERVICE_TOKEN, startBackend, type RunningBackend } from './support/start-backend';

const MAX_UPLOAD_BYTES = 4096;

/** Multipart uploads: cases found by an exploratory test. */
describe('multipart uploads', () => {
  let gateway: FakeGateway;
  let backend: RunningBackend;
  let user: ApiClient;

  beforeAll(async () => {
    gateway = await startFakeGateway(SERVICE_TOKEN);
    backend = await startBackend({ gatewayUrl: gateway.url, maxUploadBytes: MAX_UPLOAD_BYTES });
    user = await new ApiClient(backend.url).registerUser(uniqueEmail('upload-limit'));
  });
  afterAll(async () => {
    await backend.close();
    await gateway.stop();
  });

  const textOf = (bytes: number) => Buffer.from('quokka '.repeat(bytes).slice(0, bytes));

  // busboy signals its limit when a file reaches it, so a file of exactly
  // DOCUTHINKER_MAX_UPLOAD_BYTES ("the largest accepted upload") was refused.
  it('accepts a file of exactly the limit', async () => {
    const answer = await user.upload(textOf(MAX_UPLOAD_BYTES), 'limit.txt');
    expect(answer.status).toBe(201);
    expect(answer.body['size']).toBe(MAX_UPLOAD_BYTES);
  });

  it('refuses a file one byte over it', async () => {
    const answer = await user.upload(textOf(MAX_UPLOAD_BYTES + 1), 'over.txt');
    expect(answer.status).toBe(413);
    expect(answer.body['code']).toBe('DT_ERR_FILE_TOO_LARGE');
  });

  // Browsers (and fetch's FormData) write `"` as %22 in the file name.
  it("decodes the quotes a browser escapes in a file name (%22), and keeps a name's own percent signs", async () => {
    const quoted = await user.upload(textOf(64), 'Report "final".txt');
    expect(quoted.status).toBe(201);
    // A title taken from a file name loses what file names cannot hold, as before.
    expect(quoted.body['title']).toBe('Report _final_');
    const percent = await user.upload(textOf(64), '100%25 done.txt');
    expect(percent.status).toBe(201);
    expect(percent.body['title']).toBe('100%25 done');
  });

  it('refuses a compressed form with 415, whether or not its bytes are compressed', async () => {
    const form = new FormData();
    form.append('file', new Blob([textOf(64)]), 'plain.txt');
    const request = new Request(`${backend.url}/api/documents`, { method: 'POST', body: form });
    const body = Buffer.from(await request.arrayBuffer());
    const idsOf = async () =>
      ((await user.get('/api/documents')).body['items'] as { id: string }[]).map(({ id }) => id);
    const before = await idsOf();
    for (const bytes of [body, gzipSync(body)]) {
      const answer = await fetch(`${backend.url}/api/documents`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${user.token ?? ''}`,
          'content-type': request.headers.get('content-type') ?? '',
          'content-encoding': 'gzip',
        },
        body: bytes,
      });
      expect(answer.status).toBe(415);
      expect(answer.headers.get('accept-encoding')).toBe('identity');
      expect(((await answer.json()) as { code: string }).code).toBe(
        'DT_ERR_UNSUPPORTED_MEDIA_TYPE',
      );
    }
    expect(await idsOf()).toEqual(before);
  });

  // busboy decodes a part as UTF-8 with U+FFFD for the bytes that are not:
  // a Latin-1 title was stored as "Caf\uFFFD" (found in review).
  it('refuses a title or file name that is not UTF-8, and takes one that is', async () => {
    const postForm = (parts: Buffer[]) =>
      fetch(`${backend.url}/api/documents`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${user.token ?? ''}`,
          'content-type': 'multipart/form-data; boundary=XX',
        },
        body: Buffer.concat([...parts, Buffer.from('--XX--\r\n')]),
      });
    const titlePart = (title: Buffer) =>
      Buffer.concat([
        Buffer.from('--XX\r\nContent-Disposition: form-data; name="title"\r\n\r\n'),
        title,
        Buffer.from('\r\n'),
      ]);
    const filePart = (name: Buffer) =>
      Buffer.concat([
        Buffer.from('--XX\r\nContent-Disposition: form-data; name="file"; filename="'),
        name,
        Buffer.from('"\r\n\r\nquokkas hop about\r\n'),
      ]);
    const idsOf = async () =>
      ((await user.get('/api/documents')).body['items'] as { id: string }[]).map(({ id }) => id);
    const before = await idsOf();

    const latin1Title = await postForm([
      titlePart(Buffer.from('Caf\xe9 r\xe9sum\xe9', 'latin1')),
      filePart(Buffer.from('a.txt')),
    ]);
    expect(latin1Title.status).toBe(400);
    expect(await latin1Title.json()).toMatchObject({
      code: 'DT_ERR_VALIDATION',
      errors: [{ path: 'title', message: expect.stringMatching(/UTF-8/) }],
    });
    const latin1Name = await postForm([filePart(Buffer.from('Caf\xe9.txt', 'latin1'))]);
    expect(latin1Name.status).toBe(400);
    expect(await latin1Name.json()).toMatchObject({
      code: 'DT_ERR_VALIDATION',
      errors: [{ path: 'file', message: expect.stringMatching(/UTF-8/) }],
    });
    // An RFC 5987 name in UTF-16 decodes without U+FFFD, its lone surrogate
    // and all: the title taken from it held one (found in review).
    const utf16Name = await postForm([
      Buffer.from(
        '--XX\r\nContent-Disposition: form-data; name="file"; filename*=utf-16le\'\'a%00%00%D8.%00t%00x%00t%00\r\n\r\nquokkas\r\n',
      ),
    ]);
    expect(utf16Name.status).toBe(400);
    expect(await utf16Name.json()).toMatchObject({
      code: 'DT_ERR_VALIDATION',
      errors: [{ path: 'file', message: expect.stringMatching(/UTF-8/) }],
    });
    expect(await idsOf()).toEqual(before);

    const utf8Title = await postForm([
      titlePart(Buffer.from('Café résumé')),
      filePart(Buffer.from('Crème brûlée.txt')),
    ]);
    expect(utf8Title.status).toBe(201);
    expect(((await utf8Title.json()) as { title: string }).title).toBe('Café résumé');
    const utf8Name = await postForm([filePart(Buffer.from('Crème brûlée.txt'))]);
    expect(utf8Name.status).toBe(201);
    expect(((await utf8Name.json()) as { title: string }).title).toBe('Crème brûlée');
  });
});
