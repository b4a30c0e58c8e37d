import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../testing/chromium.ts';
import { watchCspViolations } from '../../testing/csp.ts';
import { REPO_ROOT, type TestServer } from '../../testing/server-process.ts';

export const SHOTS = path.join(REPO_ROOT, 'screenshots/admin');

/** A page signed in with `token`, collecting uncaught errors, console errors and Content-Security-Policy violations. */
export async function signedIn(
  browser: Browser,
  url: string,
  token: string,
  hash = '#/overview',
): Promise<{ page: Page; errors: string[]; close(): Promise<void> }> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  const errors: string[] = [];
  await watchCspViolations(context, errors);
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(`${url}/admin/${hash}`);
  await page.locator('tinysphere-admin token-login input[name=token]').fill(token);
  await page.locator('tinysphere-admin token-login button[type=submit]').click();
  await page.locator('tinysphere-admin [data-testid=whoami]').waitFor({ timeout: 10_000 });
  return { page, errors, close: () => context.close() };
}

export async function go(page: Page, hash: string): Promise<void> {
  await page.evaluate((h) => (location.hash = h), hash);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

export const noErrors = (errors: string[]) => assert.deepEqual(errors, [], `errors in the page:\n${errors.join('\n')}`);

/**
 * For a describe block: Chromium, a server `open` prepares (and the token to sign in with), one
 * signed-in page for all its tests; `each` is a test that also fails on errors in the page.
 */
export function consoleSession(open: () => Promise<{ server: TestServer; token: string }>) {
  const s: {
    browser?: Browser | undefined;
    server?: TestServer;
    page?: Page;
    errors: string[];
    close?: () => Promise<void>;
  } = { errors: [] };
  before(async () => {
    s.browser = await launchChromium();
    if (!s.browser) return;
    const { server, token } = await open();
    s.server = server;
    const signed = await signedIn(s.browser, server.server.url, token);
    Object.assign(s, signed);
  });
  after(async () => {
    if (!s.browser) return;
    await s.close?.();
    await s.browser.close();
    await s.server?.server.stop();
    await s.server?.teardown();
  });
  return {
    get page(): Page {
      return s.page!;
    },
    /** Errors the page logged so far; a test that provokes one (a refused request) checks and clears it. */
    get errors(): string[] {
      return s.errors;
    },
    text: async (selector: string) => (await s.page!.locator(selector).first().textContent()) ?? '',
    each: (name: string, fn: () => Promise<void>) =>
      it(name, async (t) => {
        if (!s.browser) return t.skip('Chromium is not available');
        await fn();
        noErrors(s.errors);
      }),
  };
}
