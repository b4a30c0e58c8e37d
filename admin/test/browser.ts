import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { REPO_ROOT } from '../../testing/server-process.ts';

export const SHOTS = path.join(REPO_ROOT, 'screenshots/admin');

/** A page signed in with `token`, collecting uncaught errors and console errors. */
export async function signedIn(browser: Browser, url: string, token: string, hash = '#/overview'): Promise<{ page: Page; errors: string[]; close(): Promise<void> }> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
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
