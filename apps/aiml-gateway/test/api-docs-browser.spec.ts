import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import {
  CHROMIUM_LAUNCH_OPTIONS,
  chromiumAvailableFor,
  recordPageTrouble,
} from '@docuthinker/testing';
import { GATEWAY_API } from '@docuthinker/contracts';
import { startTestGateway, userToken, type TestGateway } from './support/test-gateway';

const hasChromium = chromiumAvailableFor('gateway /api-docs browser test');

// The security headers (src/plugins/security-headers.ts) as a browser
// applies them: the Content-Security-Policy must leave Swagger UI working,
// and Cross-Origin-Resource-Policy the web app's CORS reads.
(hasChromium ? describe : describe.skip)('the gateway in headless Chromium', () => {
  let webApp: Server;
  let webAppOrigin: string;
  let gateway: TestGateway;
  let gatewayUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    // A page on another origin than the gateway, as the web app is.
    webApp = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end('<!doctype html><title>web app</title>');
    });
    await new Promise<void>((resolve) => webApp.listen(0, '127.0.0.1', resolve));
    webAppOrigin = `http://127.0.0.1:${(webApp.address() as AddressInfo).port}`;
    gateway = await startTestGateway({ corsOrigins: [webAppOrigin] });
    gatewayUrl = await gateway.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch(CHROMIUM_LAUNCH_OPTIONS);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
    await new Promise((resolve) => webApp?.close(resolve));
  });

  it('renders /docs with local assets only and no failing request', async () => {
    const page = await browser.newPage();
    const { requested, failures, consoleErrors } = recordPageTrouble(page);

    const landed = await page.goto(`${gatewayUrl}/docs`, { waitUntil: 'networkidle' });
    expect(landed?.headers()['x-content-type-options']).toBe('nosniff');
    await page.waitForSelector('.opblock-summary-path', { timeout: 20_000 });

    expect(await page.textContent('.info .title')).toContain('DocuThinker AI/ML gateway');
    const paths = await page.$$eval('.opblock-summary-path', (nodes) =>
      nodes.map((node) => (node.textContent ?? '').replace(/\u200b/g, '')),
    );
    expect(paths).toEqual(expect.arrayContaining([GATEWAY_API.search, GATEWAY_API.analyze]));
    expect(requested.filter((url) => !url.startsWith(gatewayUrl))).toEqual([]);
    expect(failures).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 60_000);

  it("lets the web app's page read an answer, and refuses a load without CORS", async () => {
    const page = await browser.newPage();
    await page.goto(webAppOrigin);
    const token = await userToken('hana');
    const outcome = await page.evaluate(
      async ({ url, token }) => {
        const answer = await fetch(`${url}/ai/v1/search`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ query: 'lamps', mode: 'lexical' }),
        });
        const read = { status: answer.status, body: (await answer.json()) as unknown };
        // Another site's <img> or <script> loads without CORS: refused by
        // Cross-Origin-Resource-Policy, so the answer never reaches the page.
        const withoutCors = await fetch(`${url}/health`, { mode: 'no-cors' }).then(
          () => 'loaded',
          () => 'refused',
        );
        return { read, withoutCors };
      },
      { url: gatewayUrl, token },
    );
    expect(outcome).toEqual({
      read: { status: 200, body: expect.objectContaining({ hits: [] }) },
      withoutCors: 'refused',
    });
    await page.close();
  }, 60_000);
});
