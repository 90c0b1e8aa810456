import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { jsonBodies } from '../src/middleware/json-bodies';

/** A body between the ordinary 1 MB JSON limit and the upload limit. */
const LARGE_TEXT = JSON.stringify({
  title: 'Long notes',
  text: 'Long meeting notes. '.repeat(80_000),
});

describe('jsonBodies', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    const app = express();
    app.use(jsonBodies(4 * 1024 * 1024));
    app.post('/api/documents', (_req, res) => res.status(201).end());
    app.post('/api/ai/:task', (_req, res) => res.status(200).end());
    app.put('/api/me/password', (_req, res) => res.status(204).end());
    // A refused body is answered with the parser's own status.
    app.use(
      (error: { status?: number }, _req: express.Request, res: express.Response, _next: unknown) =>
        res.status(error.status ?? 500).end(),
    );
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const post = (path: string, method = 'POST') =>
    fetch(`${url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: LARGE_TEXT,
    });

  it.each(['/api/documents', '/api/documents/', '/API/Documents'])(
    'gives a text upload to %s (routed to the upload by Express) the upload limit',
    async (path) => {
      expect((await post(path)).status).toBe(201);
    },
  );

  // The contract takes 2,000,000 characters of text there: more than 1 MB.
  it('gives an AI task on sent text the upload limit', async () => {
    expect((await post('/api/ai/summary')).status).toBe(200);
  });

  it('keeps every other JSON body to 1 MB', async () => {
    expect((await post('/api/me/password', 'PUT')).status).toBe(413);
    expect((await post('/api/documents/x')).status).toBe(413);
    expect((await post('/api/ai/summary/x')).status).toBe(413);
  });
});
