import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  awsTestClientConfig,
  startMoto,
  startRedis,
  type RunningService,
} from '@docuthinker/testing';
import { ApiClient, corpusFile, expectProblem, uniqueEmail } from './support/api-client';
import { startFakeGateway, type FakeGateway } from './support/fake-gateway';
import { SERVICE_TOKEN, startBackend, type RunningBackend } from './support/start-backend';

/**
 * The backend on its production cache and file adapters: a real
 * redis-server and S3 emulated by moto, both started here on free ports.
 */
describe('backend on Redis and S3 (real redis-server, moto)', () => {
  const bucket = 'docuthinker-backend-test';
  let redis: RunningService;
  let moto: RunningService;
  let gateway: FakeGateway;
  let backend: RunningBackend;
  let api: ApiClient;

  beforeAll(async () => {
    [redis, moto, gateway] = await Promise.all([
      startRedis(),
      startMoto(),
      startFakeGateway(SERVICE_TOKEN),
    ]);
    const s3 = new S3Client(awsTestClientConfig(moto.url));
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    s3.destroy();
    backend = await startBackend({
      gatewayUrl: gateway.url,
      loginLimits: {
        perIp: { points: 1000, windowSeconds: 60 },
        perEmail: { points: 2, windowSeconds: 60 },
      },
      stores: {
        redisUrl: redis.url,
        documentsBucket: bucket,
        s3ClientConfig: awsTestClientConfig(moto.url),
      },
    });
    api = new ApiClient(backend.url);
  }, 90_000);
  afterAll(async () => {
    await backend?.close();
    await Promise.all([gateway?.stop(), redis?.stop(), moto?.stop()]);
  });

  it('uses the production adapters', async () => {
    expect(backend.stores.adapters).toEqual({ data: 'libsql', cache: 'redis', files: 's3' });
    const ready = await api.get<{ dependencies: Record<string, { status: string }> }>('/ready');
    expect(ready.body.dependencies['cache:redis']?.status).toBe('up');
  });

  it('redirects file downloads to a short-lived signed S3 URL that serves the original bytes', async () => {
    const user = await api.registerUser(uniqueEmail('s3'));
    const bytes = corpusFile('bsd.docx');
    const created = await user.upload(bytes, 'bsd.docx');
    expect(created.status).toBe(201);
    const redirect = await user.get(`/api/documents/${String(created.body['id'])}/file`);
    expect(redirect.status).toBe(302);
    const location = redirect.headers.get('location') ?? '';
    expect(location.startsWith(moto.url)).toBe(true);
    expect(location).toMatch(/X-Amz-Expires=300/);
    const file = await fetch(location);
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('keeps serving, uncached, and keeps limiting logins in process while Redis is down', async () => {
    const email = uniqueEmail('redis-down');
    const user = await api.registerUser(email);
    await user.post('/api/documents', { title: 'Before', text: 'Written while Redis was up.' });
    await redis.stop();
    try {
      const listed = await user.get<{ items: { title: string }[] }>('/api/documents');
      expect(listed.status).toBe(200);
      expect(listed.body.items.map((item) => item.title)).toEqual(['Before']);
      const created = await user.post('/api/documents', {
        title: 'During',
        text: 'Written while Redis was down.',
      });
      expect(created.status).toBe(201);
      expect((await user.get<{ items: unknown[] }>('/api/documents')).body.items).toHaveLength(2);
      const task = await user.post<{ cached: boolean }>('/api/ai/summary', {
        text: 'No cache right now.',
      });
      expect(task.status).toBe(200);
      expect(task.body.cached).toBe(false);
      // Reported down, and still ready (found in an exploratory test: Redis showed nowhere).
      const ready = await api.get<{ dependencies: Record<string, { status: string }> }>('/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.dependencies['cache:redis']?.status).toBe('down');

      // Documented behaviour: the limiter falls back to per-process counters, it does not fail open.
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 3; attempt += 1) {
        statuses.push(
          (await api.post('/api/auth/login', { email, password: 'wrong password' })).status,
        );
      }
      expect(statuses).toEqual([401, 401, 429]);
    } finally {
      redis = await startRedis({ port: redis.port });
    }
  });

  it('answers problem+json for a missing document on S3 like anywhere else', async () => {
    const user = await api.registerUser(uniqueEmail('s3-missing'));
    expectProblem(await user.get('/api/documents/nope/file'), 404, 'DT_ERR_DOCUMENT_NOT_FOUND');
  });
});
