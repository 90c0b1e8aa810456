import { ApiClient, expectProblem, uniqueEmail } from './support/api-client';
import { startFakeGateway, type FakeGateway } from './support/fake-gateway';
import { SERVICE_TOKEN, startBackend, type RunningBackend } from './support/start-backend';

interface Profile {
  socialMedia: Record<string, string>;
}

describe('profile social links', () => {
  let gateway: FakeGateway;
  let backend: RunningBackend;
  let user: ApiClient;

  beforeAll(async () => {
    gateway = await startFakeGateway(SERVICE_TOKEN);
    backend = await startBackend({ gatewayUrl: gateway.url });
    user = await new ApiClient(backend.url).registerUser(uniqueEmail('social'));
  });
  afterAll(async () => {
    await backend.close();
    await gateway.stop();
  });
  // Each test starts from one stored link, so refusals can show it is kept.
  beforeEach(async () => {
    const reset = await user.patch('/api/me', {
      socialMedia: {
        github: 'https://github.com/me',
        linkedin: null,
        facebook: null,
        instagram: null,
        twitter: null,
      },
    });
    expect(reset.status).toBe(200);
  });

  const storedLinks = async () => (await user.get<Profile>('/api/me')).body.socialMedia;

  it.each([
    ['a javascript: URL', 'javascript:alert(document.cookie)'],
    ['a data: URL', 'data:text/html,<script>alert(1)</script>'],
    ['another scheme', 'ftp://example.com/me'],
    ['a link without a scheme', 'github.com/me'],
    ['text with NUL', 'abc\u0000def'],
    ['a lone surrogate', '\ud800x'],
    ['a link over 500 characters', `https://example.com/${'a'.repeat(500)}`],
    // Found in an exploratory test: a GitHub link that goes elsewhere, and
    // one that displays backwards.
    ['a user name before the host', 'https://github.com@evil.example/me'],
    ['a user and password', 'https://user:pass@github.com/me'],
    ['a bidirectional control', 'HTTPS://github.com/\u202eevil'],
  ])('refuses %s with 400 naming the field, storing nothing', async (_case, link) => {
    const answer = await user.patch('/api/me', { socialMedia: { facebook: link } });

    expectProblem(answer, 400, 'DT_ERR_VALIDATION');
    expect(answer.body['errors']).toEqual([
      { path: 'socialMedia.facebook', message: expect.any(String) },
    ]);
    expect(await storedLinks()).toEqual({ github: 'https://github.com/me' });
  });

  it('stores http and https links trimmed', async () => {
    const answer = await user.patch<Profile>('/api/me', {
      socialMedia: { twitter: '  https://x.com/me  ', linkedin: 'http://linkedin.com/in/me' },
    });

    expect(answer.status).toBe(200);
    expect(answer.body.socialMedia).toEqual({
      github: 'https://github.com/me',
      twitter: 'https://x.com/me',
      linkedin: 'http://linkedin.com/in/me',
    });
  });

  // The same rule as every other text field: what the stores keep is what
  // was answered, never a NUL or a lone surrogate.
  it('replaces NUL and lone surrogates inside a link, as in every text field', async () => {
    const answer = await user.patch<Profile>('/api/me', {
      socialMedia: { github: 'https://github.com/a\u0000b', twitter: 'https://x.com/\ud800' },
    });

    expect(answer.status).toBe(200);
    const expected = { github: 'https://github.com/a\uFFFDb', twitter: 'https://x.com/\uFFFD' };
    expect(answer.body.socialMedia).toEqual(expected);
    expect(await storedLinks()).toEqual(expected);
  });

  it.each([
    ['an empty string', ''],
    ['a blank string', ' \t '],
    ['null', null],
  ])('removes a link sent as %s', async (_case, value) => {
    const answer = await user.patch<Profile>('/api/me', { socialMedia: { github: value } });

    expect(answer.status).toBe(200);
    expect(answer.body.socialMedia).toEqual({});
    expect(await storedLinks()).toEqual({});
  });

  it('keeps a link the update leaves out', async () => {
    const answer = await user.patch<Profile>('/api/me', { theme: 'dark' });

    expect(answer.body.socialMedia).toEqual({ github: 'https://github.com/me' });
  });
});
