import { join } from 'node:path';
import { readdirSync, readlinkSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import {
  ApiClient,
  corpusFile,
  eventually,
  expectProblem,
  uniqueEmail,
} from './support/api-client';
import { startFakeGateway, type FakeGateway } from './support/fake-gateway';
import { SERVICE_TOKEN, startBackend, type RunningBackend } from './support/start-backend';

interface Metadata {
  id: string;
  title: string;
  fileType: string;
  size: number;
  pages?: number;
  createdAt: string;
  summary: string;
  summaryDegraded: boolean;
  indexStatus: string;
}

describe('documents over HTTP', () => {
  let gateway: FakeGateway;
  let backend: RunningBackend;
  let user: ApiClient;

  beforeAll(async () => {
    gateway = await startFakeGateway(SERVICE_TOKEN);
    backend = await startBackend({ gatewayUrl: gateway.url });
    user = await new ApiClient(backend.url).registerUser(uniqueEmail('docs'));
  });
  afterAll(async () => {
    await backend.close();
    await gateway.stop();
  });

  it.each([
    ['shared-mime-info-spec.pdf', 'pdf', 'application/pdf', /MIME/],
    [
      'bsd.docx',
      'docx',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      /Redistribution/,
    ],
    ['bsd.txt', 'txt', 'text/plain', /Redistribution/],
    ['apache-2.0.txt', 'txt', 'text/plain', /Apache License/],
  ])(
    'uploads %s from the corpus, extracts it and serves the original back',
    async (name, fileType, contentType, marker) => {
      const bytes = corpusFile(name);
      const created = await user.upload(bytes, name);
      expect(created.status).toBe(201);
      const document = created.body as unknown as Metadata;
      expect(document).toMatchObject({ fileType, size: bytes.byteLength, indexStatus: 'pending' });
      expect(created.headers.get('location')).toBe(`/api/documents/${document.id}`);
      expect(document.summary.length).toBeGreaterThan(0);
      if (fileType === 'pdf') expect(document.pages).toBe(17);

      const detail = await user.get<Metadata & { text: string; html?: string }>(
        `/api/documents/${document.id}`,
      );
      expect(detail.status).toBe(200);
      expect(detail.body.text).toMatch(marker);
      if (fileType === 'docx') expect(detail.body.html).toMatch(/<p>/);

      const file = await fetch(`${backend.url}/api/documents/${document.id}/file`, {
        headers: { authorization: `Bearer ${user.token}` },
      });
      expect(file.status).toBe(200);
      expect(file.headers.get('content-type')).toContain(contentType);
      expect(file.headers.get('content-disposition')).toMatch(/^attachment/);
      expect(Buffer.from(await file.arrayBuffer()).equals(bytes)).toBe(true);
    },
  );

  it('takes JSON text uploads', async () => {
    const created = await user.post<Metadata>('/api/documents', {
      title: 'Notes',
      text: 'Meeting notes. The first item was agreed; the second waits for review.',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ title: 'Notes', fileType: 'txt', indexStatus: 'pending' });
    const detail = await user.get<{ text: string }>(`/api/documents/${created.body.id}`);
    expect(detail.body.text).toContain('second waits for review');
  });

  it.each(['%PDF-1.4 is the header every PDF file starts with.', '{"not": "a JSON file"}'])(
    'stores JSON text as plain text whatever it begins with: %s',
    async (text) => {
      const created = await user.post<Metadata>('/api/documents', { title: 'Header notes', text });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ fileType: 'txt' });
      const detail = await user.get<{ text: string }>(`/api/documents/${created.body.id}`);
      expect(detail.body.text).toBe(text);
    },
  );

  // The embedded store's SQLite ends a string at NUL: before, it kept "nul"
  // of "nul\u0000title". Every store now keeps U+FFFD in its place.
  it('keeps what follows a NUL character in titles and text', async () => {
    const created = await user.post<Metadata>('/api/documents', {
      title: 'nul\u0000title',
      text: 'before\u0000after the NUL.',
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const detail = await user.get<Metadata & { text: string }>(`/api/documents/${id}`);
    expect(detail.body).toMatchObject({
      title: 'nul\uFFFDtitle',
      text: 'before\uFFFDafter the NUL.',
    });
    await user.patch(`/api/documents/${id}`, { title: 're\u0000named' });
    expect((await user.get<Metadata>(`/api/documents/${id}`)).body.title).toBe('re\uFFFDnamed');

    const uploaded = await user.upload(Buffer.from('Plain words.\n'), 'plain.txt', {
      title: 'multipart\u0000title',
    });
    expect(uploaded.status).toBe(201);
    const stored = await user.get<Metadata>(`/api/documents/${uploaded.body['id']}`);
    expect(stored.body.title).toBe('multipart\uFFFDtitle');
  });

  it('keeps a multipart title over the extracted one and handles unicode file names', async () => {
    const created = await user.upload(
      Buffer.from('Zürich café notes, naïve résumé.\n'),
      'Überblick – 東京.txt',
      {
        title: 'Über café',
      },
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ title: 'Über café', fileType: 'txt' });
    const file = await fetch(`${backend.url}/api/documents/${created.body['id']}/file`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    expect(file.headers.get('content-disposition')).toContain(
      "filename*=UTF-8''%C3%9Cber%20caf%C3%A9.txt",
    );
  });

  // Found in an exploratory test of international documents: text downloads
  // named no charset, named HTML references were stored as written, and
  // UTF-16 and Windows-1252 text files were refused.
  describe('international text', () => {
    const download = (id: unknown) =>
      fetch(`${backend.url}/api/documents/${String(id)}/file`, {
        headers: { authorization: `Bearer ${user.token}` },
      });
    const utf16le = (text: string) =>
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);

    it.each([
      ['notes.txt', 'Zürich café notes.\n', 'text/plain; charset=utf-8'],
      ['notes.md', '# Überblick\n\ncafé\n', 'text/markdown; charset=utf-8'],
      ['people.csv', 'name,city\nJosé,Málaga\n', 'text/csv; charset=utf-8'],
      ['data.json', '{"città": "Torino"}', 'application/json; charset=utf-8'],
      ['page.html', '<p>Grüße</p>', 'text/html; charset=utf-8'],
    ])('serves UTF-8 %s back with charset=utf-8', async (name, text, contentType) => {
      const created = await user.upload(Buffer.from(text), name);
      expect(created.status).toBe(201);

      const file = await download(created.body['id']);
      expect(file.headers.get('content-type')).toBe(contentType);
      expect(Buffer.from(await file.arrayBuffer()).toString('utf8')).toBe(text);
    });

    it('serves text sent as JSON back with charset=utf-8, and a PDF with none', async () => {
      const created = await user.post('/api/documents', { title: 'Über', text: 'Grüße.' });
      const pdf = await user.upload(corpusFile('shared-mime-info-spec.pdf'), 'spec.pdf');

      expect((await download(created.body['id'])).headers.get('content-type')).toBe(
        'text/plain; charset=utf-8',
      );
      expect((await download(pdf.body['id'])).headers.get('content-type')).toBe('application/pdf');
    });

    it('streams a text original larger than 2 MiB as it is, without reading it for a charset', async () => {
      const page = Buffer.from(`<html><body>${'<p>Grüße</p>'.repeat(200_000)}</body></html>`);
      expect(page.length).toBeGreaterThan(2 * 1024 * 1024);
      // The suite's backend takes uploads of 1 MiB.
      const roomy = await startBackend({
        gatewayUrl: gateway.url,
        maxUploadBytes: 4 * 1024 * 1024,
      });
      try {
        const writer = await new ApiClient(roomy.url).registerUser(uniqueEmail('large-html'));
        const created = await writer.upload(page, 'large.html');
        expect(created.status).toBe(201);
        const file = await fetch(`${roomy.url}/api/documents/${String(created.body['id'])}/file`, {
          headers: { authorization: `Bearer ${writer.token}` },
        });
        expect(file.headers.get('content-type')).toBe('text/html');
        expect(Buffer.from(await file.arrayBuffer()).equals(page)).toBe(true);
      } finally {
        await roomy.close();
      }
    });

    // Found in an exploratory test: each abandoned download left its file
    // open until garbage collection, hundreds of descriptors under load.
    it('closes the original when its download is abandoned half-way', async () => {
      const page = Buffer.from(`<html><body>${'<p>Grüße</p>'.repeat(200_000)}</body></html>`);
      const roomy = await startBackend({
        gatewayUrl: gateway.url,
        maxUploadBytes: 4 * 1024 * 1024,
      });
      const openFiles = () =>
        readdirSync('/proc/self/fd').filter((fd) => {
          try {
            return readlinkSync(`/proc/self/fd/${fd}`).startsWith(join(roomy.dataDir, 'documents'));
          } catch {
            return false; // closed meanwhile
          }
        }).length;
      try {
        const writer = await new ApiClient(roomy.url).registerUser(uniqueEmail('abandoned'));
        const created = await writer.upload(page, 'large.html');
        expect(created.status).toBe(201);
        const url = `${roomy.url}/api/documents/${String(created.body['id'])}/file`;
        // More than the socket buffers take: the download is under way when it is left.
        const abandoned = () =>
          new Promise<number>((resolve, reject) => {
            const request = httpGet(url, { headers: { authorization: `Bearer ${writer.token}` } });
            request.on('response', (response) => {
              response.once('data', () => request.destroy());
              request.on('close', () => resolve(response.statusCode ?? 0));
            });
            request.on('error', (error) => {
              if (!request.destroyed) reject(error);
            });
          });
        for (let round = 0; round < 5; round += 1) expect(await abandoned()).toBe(200);
        await eventually(async () => (openFiles() === 0 ? true : undefined), { timeoutMs: 3000 });
      } finally {
        await roomy.close();
      }
    });

    it('reads a UTF-16 CSV with a byte order mark and serves its bytes back as utf-16', async () => {
      const bytes = utf16le('name\tcity\r\nJosé\tMálaga\r\n');
      const created = await user.upload(bytes, 'export.csv');
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ fileType: 'csv', title: 'export', size: bytes.length });
      const detail = await user.get<{ text: string }>(`/api/documents/${created.body['id']}`);
      expect(detail.body.text).toBe('name\tcity\nJosé\tMálaga\n');

      const file = await download(created.body['id']);
      expect(file.headers.get('content-type')).toBe('text/csv; charset=utf-16');
      expect(Buffer.from(await file.arrayBuffer()).equals(bytes)).toBe(true);
    });

    it('reads Windows-1252 text and serves its bytes back as windows-1252', async () => {
      const bytes = Buffer.from('Caf\u00e9 cr\u00e8me.\n', 'latin1');
      const created = await user.upload(bytes, 'menu.txt');
      expect(created.status).toBe(201);
      const detail = await user.get<{ text: string }>(`/api/documents/${created.body['id']}`);
      expect(detail.body.text).toBe('Café crème.\n');

      const file = await download(created.body['id']);
      expect(file.headers.get('content-type')).toBe('text/plain; charset=windows-1252');
      expect(Buffer.from(await file.arrayBuffer()).equals(bytes)).toBe(true);
    });

    it('decodes named HTML references in the title and text', async () => {
      const html =
        '<html><head><title>Caf&eacute; M&uuml;nchen</title></head>' +
        '<body><p>se&ntilde;or, Stra&szlig;e, &alpha;</p></body></html>';
      const created = await user.upload(Buffer.from(html), 'cafe.html');
      expect(created.status).toBe(201);
      expect(created.body['title']).toBe('Café München');
      const detail = await user.get<{ text: string }>(`/api/documents/${created.body['id']}`);
      expect(detail.body.text).toBe('señor, Straße, α');
    });

    it('refuses Shift-JIS text 415 with a hint to save it as UTF-8, storing nothing', async () => {
      const refuser = await new ApiClient(backend.url).registerUser(uniqueEmail('encodings'));
      // 会議のメモ：来週の予定を確認してください。 in Shift-JIS.
      const shiftJis = Buffer.from(
        '89ef8b6382cc83818382814697888f5482cc975c92e882f08a6d944682b582c482ad82be82b382a281420a',
        'hex',
      );
      const answer = await refuser.upload(shiftJis, 'memo.txt');

      expectProblem(answer, 415, 'DT_ERR_UNSUPPORTED_TYPE');
      expect(answer.body['detail']).toContain('UTF-8');
      expect((await refuser.get<{ items: unknown[] }>('/api/documents')).body.items).toEqual([]);
    });
  });

  it('names a download after its title without path separators', async () => {
    const created = await user.post<Metadata>('/api/documents', {
      title: '../../etc/passwd',
      text: 'Plain words.',
    });
    expect(created.status).toBe(201);
    const renamed = await user.patch<Metadata>(`/api/documents/${created.body.id}`, {
      title: '/etc\\hosts',
    });
    expect(renamed.status).toBe(200);
    const file = await fetch(`${backend.url}/api/documents/${created.body.id}/file`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    expect(file.headers.get('content-disposition')).toBe(
      'attachment; filename="_etc_hosts.txt"; filename*=UTF-8\'\'_etc_hosts.txt',
    );
  });

  // Found in review: a read the local store failed (ENOTDIR) was a 500.
  it('a file store that cannot give an original back → 503 with Retry-After', async () => {
    const created = await user.post<{ id: string }>('/api/documents', {
      title: 'Notes',
      text: 'Some notes.',
    });
    expect(created.status).toBe(201);
    const files = backend.stores.files;
    const get = files.get.bind(files);
    files.get = async () => {
      throw Object.assign(new Error('ENOTDIR: not a directory'), { code: 'ENOTDIR' });
    };
    try {
      const answer = await user.request('GET', `/api/documents/${created.body.id}/file`);
      expectProblem(answer, 503, 'DT_ERR_STORAGE_UNAVAILABLE');
      expect(answer.headers.get('retry-after')).toBe('10');
      expect(answer.body['detail']).toMatch(/could not be read/);
      expect(backend.logs()).toContain('file store did not give back an original');
    } finally {
      files.get = get;
    }
  });

  // Found in review: JSON took an empty Content-Encoding as none, a form was 415.
  it('an empty Content-Encoding is no coding, for a form as for JSON', async () => {
    const form = new FormData();
    form.append('file', new Blob([Buffer.from('A note sent with an empty coding.')]), 'note.txt');
    const uploaded = await user.request('POST', '/api/documents', {
      body: form,
      headers: { 'content-encoding': '' },
    });
    expect(uploaded.status).toBe(201);
    const json = await user.request('POST', '/api/documents', {
      body: JSON.stringify({ title: 'Empty coding', text: 'Some words.' }),
      headers: { 'content-type': 'application/json', 'content-encoding': '' },
    });
    expect(json.status).toBe(201);
  });

  // Found in review: encodeURIComponent left ' ( ) * as they were, which
  // RFC 8187 does not allow, and a strict parser dropped the UTF-8 name.
  it('names a download in a filename* every RFC 8187 parser reads', async () => {
    const created = await user.post<Metadata>('/api/documents', {
      title: "O'Brien (draft) *final* – été",
      text: 'Plain words.',
    });
    expect(created.status).toBe(201);
    const file = await fetch(`${backend.url}/api/documents/${created.body.id}/file`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    const header = file.headers.get('content-disposition') ?? '';
    expect(header).toContain(
      "filename*=UTF-8''O%27Brien%20%28draft%29%20%2Afinal%2A%20%E2%80%93%20%C3%A9t%C3%A9.txt",
    );
    // RFC 8187: attr-char or a percent-encoded octet, nothing else.
    const value = /filename\*=UTF-8''(\S+)/.exec(header)?.[1] ?? '';
    expect(value).toMatch(/^(?:[A-Za-z0-9!#$&+.^_`|~-]|%[0-9A-F]{2})+$/);
    expect(decodeURIComponent(value)).toBe("O'Brien (draft) *final* – été.txt");
  });

  // A title names the download: U+202E made "photo\u202egnp.txt" display as
  // "phototxt.png", and a CR LF was stored verbatim.
  it('drops bidirectional controls and line breaks from titles sent as JSON or a form field', async () => {
    const created = await user.post<Metadata>('/api/documents', {
      title: '\u2066photo\u202egnp\u2069',
      text: 'Plain words.',
    });
    expect(created.status).toBe(201);
    expect(created.body.title).toBe('photognp');
    const file = await fetch(`${backend.url}/api/documents/${created.body.id}/file`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    expect(file.headers.get('content-disposition')).toContain("filename*=UTF-8''photognp.txt");

    const renamed = await user.patch<Metadata>(`/api/documents/${created.body.id}`, {
      title: 'a\r\nSet-Cookie: pwn=1\u0085 \u202dتقرير ודו״ח\u202c',
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.title).toBe('a Set-Cookie: pwn=1 تقرير ודו״ח');

    const uploaded = await user.upload(Buffer.from('Plain words.'), 'note.txt', {
      title: 'scan\u202efdp\r\n.exe',
    });
    expect(uploaded.status).toBe(201);
    expect(uploaded.body['title']).toBe('scanfdp .exe');

    for (const title of ['\u202e', '\u2066\r\n\u2069'])
      expectProblem(
        await user.patch(`/api/documents/${created.body.id}`, { title }),
        400,
        'DT_ERR_VALIDATION',
      );
  });

  // Found in an exploratory test: a title of zero-width characters was a
  // blank line in the listing, and the form took what JSON refused.
  it('refuses a title that shows nothing by JSON and in a rename; by form, and as a file name, it gives way', async () => {
    const invisible = '\u200b\u2060';
    const byJson = await user.post('/api/documents', { title: invisible, text: 'Plain words.' });
    expectProblem(byJson, 400, 'DT_ERR_VALIDATION');
    expect(byJson.body['errors']).toEqual([
      { path: 'title', message: 'must contain visible characters' },
    ]);
    // As sent: NULs and lone surrogates show nothing, though each is kept as
    // U+FFFD, which does (found in review: a title of NULs was stored so).
    for (const title of ['\u0000\u0000', '\ud800', ' \u0000\udc00 '])
      expect(
        (await user.post('/api/documents', { title, text: 'Plain words.' })).body['errors'],
      ).toEqual([{ path: 'title', message: 'must contain visible characters' }]);
    // A form's title input left blank (or as good as): titled from the file.
    for (const title of [invisible, '', '   ', '\u0000']) {
      const byForm = await user.upload(Buffer.from('Plain words.'), 'note.txt', { title });
      expect(byForm.status).toBe(201);
      expect(byForm.body['title']).toBe('note');
    }
    const kept = await user.post<Metadata>('/api/documents', { title: 'Kept', text: 'Words.' });
    for (const title of [invisible, '\u0000'])
      expectProblem(
        await user.patch(`/api/documents/${kept.body.id}`, { title }),
        400,
        'DT_ERR_VALIDATION',
      );
    // A file name that shows nothing gives way to the text's first line.
    const named = await user.upload(Buffer.from('First line here.\nMore.'), '\u200b.txt');
    expect(named.status).toBe(201);
    expect(named.body['title']).toBe('First line here.');
  });

  it('refuses a form the JSON upload would refuse: a long or second title, an unknown field', async () => {
    const cases: [Record<string, string> | [string, string][], string][] = [
      [{ title: 'x'.repeat(301) }, 'title'],
      [{ file: 'text sent as a plain field' }, 'file'],
      [{ summary: 'mine', indexStatus: 'indexed' }, 'summary'],
      [
        [
          ['title', 'One'],
          ['title', 'Two'],
        ],
        'title',
      ],
    ];
    // Found by the fuzz suite: a part that names no field crashed the process.
    const boundary = 'unnamed-part';
    for (const part of [
      'Content-Disposition: form-data; filename="x.txt"\r\nContent-Type: text/plain\r\n\r\nWords.',
      'Content-Disposition: form-data\r\n\r\nWords.',
    ]) {
      const unnamed = await user.request('POST', '/api/documents', {
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        body: `--${boundary}\r\n${part}\r\n--${boundary}--\r\n`,
      });
      expectProblem(unnamed, 400, 'DT_ERR_VALIDATION');
      expect((unnamed.body['errors'] as { path: string }[])[0]?.path).toBe('(unnamed part)');
    }
    expect((await fetch(`${backend.url}/health`)).status).toBe(200);
    const titleAsFile = new FormData();
    titleAsFile.append('title', new Blob(['Mine']), 'title.txt');
    titleAsFile.append('file', new Blob([Buffer.from('Plain words.')]), 'note.txt');
    const answer = await user.request('POST', '/api/documents', { body: titleAsFile });
    expectProblem(answer, 400, 'DT_ERR_VALIDATION');
    expect(answer.body['errors']).toEqual([{ path: 'title', message: 'must be a text field' }]);
    for (const [fields, path] of cases) {
      const form = new FormData();
      for (const [name, value] of Array.isArray(fields) ? fields : Object.entries(fields))
        form.append(name, value);
      form.append('file', new Blob([Buffer.from('Plain words.')]), 'note.txt');
      const answer = await user.request('POST', '/api/documents', { body: form });
      expectProblem(answer, 400, 'DT_ERR_VALIDATION');
      expect((answer.body['errors'] as { path: string }[])[0]?.path).toBe(path);
    }
  });

  it('lists newest first with cursor pagination and reflects renames and deletes', async () => {
    const lister = await new ApiClient(backend.url).registerUser(uniqueEmail('lister'));
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      const created = await lister.post<Metadata>('/api/documents', {
        title: `Doc ${index}`,
        text: `Plain text number ${index}.`,
      });
      ids.push(created.body.id);
    }
    const first = await lister.get<{ items: Metadata[]; nextCursor: string | null }>(
      '/api/documents?limit=2',
    );
    expect(first.status).toBe(200);
    expect(first.body.items.map((item) => item.title)).toEqual(['Doc 4', 'Doc 3']);
    expect(Object.keys(first.body.items[0] ?? {}).sort()).toEqual(
      [
        'createdAt',
        'fileType',
        'id',
        'indexStatus',
        'size',
        'summary',
        'summaryDegraded',
        'title',
      ].sort(),
    );
    const second = await lister.get<{ items: Metadata[]; nextCursor: string | null }>(
      `/api/documents?limit=2&cursor=${encodeURIComponent(first.body.nextCursor ?? '')}`,
    );
    expect(second.body.items.map((item) => item.title)).toEqual(['Doc 2', 'Doc 1']);
    const third = await lister.get<{ items: Metadata[]; nextCursor: string | null }>(
      `/api/documents?limit=2&cursor=${encodeURIComponent(second.body.nextCursor ?? '')}`,
    );
    expect(third.body.items.map((item) => item.title)).toEqual(['Doc 0']);
    expect(third.body.nextCursor).toBeNull();

    expectProblem(await lister.get('/api/documents?cursor=forged'), 400, 'DT_ERR_INVALID_CURSOR');
    expectProblem(await lister.get('/api/documents?limit=0'), 400, 'DT_ERR_VALIDATION');
    expectProblem(await lister.get('/api/documents?limit=abc'), 400, 'DT_ERR_VALIDATION');

    // The cached first page is dropped by writes.
    const renamed = await lister.patch<Metadata>(`/api/documents/${ids[4]}`, { title: 'Renamed' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.title).toBe('Renamed');
    expect((await lister.delete(`/api/documents/${ids[3]}`)).status).toBe(204);
    const after = await lister.get<{ items: Metadata[] }>('/api/documents?limit=2');
    expect(after.body.items.map((item) => item.title)).toEqual(['Renamed', 'Doc 2']);
    expectProblem(await lister.get(`/api/documents/${ids[3]}`), 404, 'DT_ERR_DOCUMENT_NOT_FOUND');
    expectProblem(
      await lister.patch(`/api/documents/${ids[4]}`, { title: '' }),
      400,
      'DT_ERR_VALIDATION',
    );

    // A trailing slash, as `/api/documents/${id}` with an empty id gives: not "delete all".
    for (const path of ['/api/documents/', '/API/Documents/']) {
      expectProblem(await lister.delete(path), 404, 'DT_ERR_ROUTE_NOT_FOUND');
    }
    expect((await lister.get<{ items: Metadata[] }>('/api/documents')).body.items).toHaveLength(4);

    expect((await lister.delete('/api/documents')).status).toBe(204);
    const empty = await lister.get<{ items: Metadata[] }>('/api/documents');
    expect(empty.body.items).toEqual([]);
    expect((await lister.get<{ documentCount: number }>('/api/me')).body.documentCount).toBe(0);
  });

  it('answers a cached listing with the same bytes and ETag until a write changes it', async () => {
    const reader = await new ApiClient(backend.url).registerUser(uniqueEmail('cached-list'));
    // Indexing also changes the listing (indexStatus), and after it the
    // provider's summary replaces the upload's: compare only once both have
    // settled (a run on Node 24 listed between them). This holds while the
    // fake gateway answers `summary` undegraded; were it to answer 501, the
    // summaries would stay degraded and this wait would time out.
    const listing = () =>
      eventually(async () => {
        const answer = await reader.get<{ items: Metadata[] }>('/api/documents?limit=20');
        return answer.body.items.every(
          (item) => item.indexStatus !== 'pending' && item.summaryDegraded === false,
        )
          ? answer
          : undefined;
      });
    const created = await reader.post<Metadata>('/api/documents', {
      title: 'First',
      text: 'The first document, titled “First”.',
    });

    const miss = await listing();
    const hit = await listing();
    expect(miss.status).toBe(200);
    expect(hit.status).toBe(200);
    expect(hit.text).toBe(miss.text);
    expect(hit.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(hit.headers.get('content-length')).toBe(String(Buffer.byteLength(miss.text)));
    const etag = miss.headers.get('etag');
    expect(etag).toMatch(/^W\/"[0-9a-f]+-/);
    expect(hit.headers.get('etag')).toBe(etag);
    expect(hit.headers.get('content-security-policy')).toContain("default-src 'self'");

    // fetch adds `Cache-Control: no-cache` to a conditional request unless one is given.
    const conditional = { 'if-none-match': etag ?? '', 'cache-control': 'max-age=0' };
    const notModified = await reader.get('/api/documents?limit=20', conditional);
    expect(notModified.status).toBe(304);
    expect(notModified.text).toBe('');

    // Every kind of write is visible in the next listing, and changes its ETag.
    const seen = new Set([etag]);
    const expectChanged = async (titles: string[]) => {
      const answer = await listing();
      expect(answer.body.items.map((item) => item.title)).toEqual(titles);
      expect(seen.has(answer.headers.get('etag'))).toBe(false);
      seen.add(answer.headers.get('etag'));
      const again = await listing();
      expect(again.text).toBe(answer.text);
      expect(again.headers.get('etag')).toBe(answer.headers.get('etag'));
    };
    const second = await reader.post<Metadata>('/api/documents', {
      title: 'Second',
      text: 'The second document.',
    });
    await expectChanged(['Second', 'First']);
    await reader.patch(`/api/documents/${created.body.id}`, { title: 'First, renamed' });
    await expectChanged(['Second', 'First, renamed']);
    await reader.delete(`/api/documents/${second.body.id}`);
    await expectChanged(['First, renamed']);
    const stale = await reader.get('/api/documents?limit=20', conditional);
    expect(stale.status).toBe(200);
    await reader.delete('/api/documents');
    await expectChanged([]);
  });

  it('searches by title, by content and semantically through the gateway', async () => {
    const searcher = await new ApiClient(backend.url).registerUser(uniqueEmail('search'));
    const apache = await searcher.upload(corpusFile('apache-2.0.txt'), 'apache-2.0.txt');
    await searcher.upload(corpusFile('mpl-2.0.txt'), 'mpl-2.0.txt');
    await eventually(async () =>
      gateway.indexed.has(String(apache.body['id'])) ? true : undefined,
    );

    const byTitle = await searcher.get<{ items: { id: string; title: string }[]; mode: string }>(
      '/api/documents/search?q=apache&mode=title',
    );
    expect(byTitle.status).toBe(200);
    expect(byTitle.body.items.map((item) => item.id)).toEqual([apache.body['id']]);

    const byContent = await searcher.get<{
      items: { id: string; snippet: string; score: number }[];
    }>('/api/documents/search?q=patent%20license');
    expect(byContent.body.items.length).toBeGreaterThan(0);
    expect(byContent.body.items[0]?.snippet.toLowerCase()).toMatch(/patent|license/);

    const semantic = await searcher.get<{
      items: { id: string }[];
      mode: string;
      degraded: boolean;
    }>('/api/documents/search?q=trademark%20contributions&mode=semantic');
    expect(semantic.body).toMatchObject({ mode: 'semantic', degraded: false });
    expect(semantic.body.items.map((item) => item.id)).toContain(apache.body['id']);
    expect(gateway.calls).toContain('POST /ai/v1/search');

    expectProblem(await searcher.get('/api/documents/search'), 400, 'DT_ERR_VALIDATION');
    expectProblem(
      await searcher.get('/api/documents/search?q=x&mode=psychic'),
      400,
      'DT_ERR_VALIDATION',
    );
  });

  it('titles semantic hits from the store and drops hits on documents that are not the searcher’s', async () => {
    const searcher = await new ApiClient(backend.url).registerUser(uniqueEmail('semantic'));
    const neighbour = await new ApiClient(backend.url).registerUser(uniqueEmail('neighbour'));
    const kept = await searcher.upload(corpusFile('apache-2.0.txt'), 'apache-2.0.txt', {
      title: 'Apache terms',
    });
    const deleted = await searcher.upload(corpusFile('mpl-2.0.txt'), 'mpl-2.0.txt');
    const foreign = await neighbour.upload(corpusFile('bsd.txt'), 'bsd.txt');
    const [keptId, deletedId, foreignId] = [kept, deleted, foreign].map((created) =>
      String(created.body['id']),
    ) as [string, string, string];
    const indexedEntry = (id: string) => {
      const entry = gateway.indexed.get(id);
      if (!entry) throw new Error(`${id} is not indexed`);
      return entry;
    };
    await eventually(async () =>
      [keptId, deletedId, foreignId].every((id) => gateway.indexed.has(id)) ? true : undefined,
    );
    const searcherId = indexedEntry(keptId).ownerId;
    const deletedEntry = indexedEntry(deletedId);
    const foreignEntry = indexedEntry(foreignId);
    expect((await searcher.delete(`/api/documents/${deletedId}`)).status).toBe(204);
    await eventually(async () => (gateway.indexed.has(deletedId) ? undefined : true));

    // An index that lags behind the delete and misattributes the neighbour's
    // document: both outrank the searcher's own hit.
    gateway.indexed.set(deletedId, { ...deletedEntry, text: 'zeppelin zeppelin' });
    gateway.indexed.set(foreignId, {
      ...foreignEntry,
      ownerId: searcherId,
      text: 'zeppelin zeppelin',
    });
    try {
      const found = await searcher.get<{
        items: { id: string; title: string; snippet: string }[];
        mode: string;
      }>('/api/documents/search?q=zeppelin%20trademark&mode=semantic&limit=1');
      expect(found.status).toBe(200);
      expect(found.body.mode).toBe('semantic');
      expect(found.body.items).toEqual([
        {
          id: keptId,
          title: 'Apache terms',
          snippet: expect.any(String),
          score: expect.any(Number),
        },
      ]);
      expect(found.body.items[0]?.snippet.toLowerCase()).toContain('trademark');
    } finally {
      gateway.indexed.delete(deletedId);
      gateway.indexed.set(foreignId, foreignEntry);
    }
  });

  it('falls back to content search, and says so, when the gateway is down', async () => {
    const searcher = await new ApiClient(backend.url).registerUser(uniqueEmail('fallback'));
    await searcher.upload(corpusFile('bsd.txt'), 'bsd.txt');
    await gateway.stop();
    try {
      const answer = await searcher.get<{ items: unknown[]; mode: string; degraded: boolean }>(
        '/api/documents/search?q=redistribution&mode=semantic',
      );
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ mode: 'content', degraded: true });
      expect(answer.body.items.length).toBe(1);
    } finally {
      await gateway.start();
    }
  });
});
