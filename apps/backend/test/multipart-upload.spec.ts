import { ApiClient, uniqueEmail } from './support/api-client';
import { startFakeGateway, type FakeGateway } from './support/fake-gateway';
import { SERVICE_TOKEN, startBackend, type RunningBackend } from './support/start-backend';

const MAX_UPLOAD_BYTES = 4096;

/**
 * Found by an exploratory test: busboy signals its limit when a file
 * reaches it, so a file of exactly DOCUTHINKER_MAX_UPLOAD_BYTES ("the
 * largest accepted upload") was refused as one byte over.
 */
describe('the upload size limit', () => {
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
});
