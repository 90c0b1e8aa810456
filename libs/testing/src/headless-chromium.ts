import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';

/** Debian's Chromium, which the browser tests drive (`.ci/run` installs it). */
export const CHROMIUM = '/usr/bin/chromium';

/** How the browser tests launch it: as root in a container, without a GPU or background traffic. */
export const CHROMIUM_LAUNCH_OPTIONS = {
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
};

/**
 * Whether a browser test can run here; when it cannot, prints the one
 * visible SKIPPED line the suites use for what this machine lacks.
 */
export function chromiumAvailableFor(testName: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  process.stdout.write(`SKIPPED (no ${CHROMIUM}; apt-get install chromium): ${testName}\n`);
  return false;
}

/** What a page did that a test of it may refuse, recorded from the moment it is called. */
export interface PageTrouble {
  /** Every URL the page requested. */
  readonly requested: string[];
  /** Requests that failed, or were answered 400 or above. */
  readonly failures: string[];
  /** Errors written to the console (a refused CSP among them). */
  readonly consoleErrors: string[];
}

export function recordPageTrouble(page: Page): PageTrouble {
  const trouble: PageTrouble = { requested: [], failures: [], consoleErrors: [] };
  page.on('request', (request) => trouble.requested.push(request.url()));
  page.on('requestfailed', (request) =>
    trouble.failures.push(`${request.url()} ${request.failure()?.errorText}`),
  );
  page.on('response', (response) => {
    if (response.status() >= 400) trouble.failures.push(`${response.url()} ${response.status()}`);
  });
  page.on('console', (message) => {
    if (message.type() === 'error') trouble.consoleErrors.push(message.text());
  });
  return trouble;
}
