import { chromium, type Browser } from 'playwright-core';
import {
  CHROMIUM_LAUNCH_OPTIONS,
  chromiumAvailableFor,
  recordPageTrouble,
} from '@docuthinker/testing';
import { startFakeGateway, type FakeGateway } from './support/fake-gateway';
import { SERVICE_TOKEN, startBackend, type RunningBackend } from './support/start-backend';

const hasChromium = chromiumAvailableFor('/api-docs browser test');

(hasChromium ? describe : describe.skip)('/api-docs in headless Chromium', () => {
  let gateway: FakeGateway;
  let backend: RunningBackend;
  let browser: Browser;

  beforeAll(async () => {
    gateway = await startFakeGateway(SERVICE_TOKEN);
    backend = await startBackend({ gatewayUrl: gateway.url });
    browser = await chromium.launch(CHROMIUM_LAUNCH_OPTIONS);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await backend?.close();
    await gateway?.stop();
  });

  it('renders every operation with local assets only and no failing request', async () => {
    const page = await browser.newPage();
    const { requested, failures, consoleErrors } = recordPageTrouble(page);

    await page.goto(`${backend.url}/api-docs`, { waitUntil: 'networkidle' });
    await page.waitForSelector('.opblock-summary-path', { timeout: 20_000 });

    expect(await page.textContent('.info .title')).toContain('DocuThinker backend API');
    const paths = await page.$$eval('.opblock-summary-path', (nodes) =>
      nodes.map((node) => node.textContent ?? ''),
    );
    expect(paths.length).toBeGreaterThanOrEqual(19);
    expect(paths.map((path) => path.replace(/\u200b/g, ''))).toEqual(
      expect.arrayContaining(['/api/auth/register', '/api/documents/{id}/ai/{task}', '/api/ask']),
    );
    expect(requested.filter((url) => !url.startsWith(backend.url))).toEqual([]);
    expect(failures).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 60_000);
});
