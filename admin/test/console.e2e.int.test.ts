import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../testing/chromium.ts';
import { startServerProcess, tempDataDir, type ServerProcess } from '../../testing/server-process.ts';

describe('the TinySphere console, production build served by TinySphere, in Chromium', () => {
  let browser: Browser | undefined;
  let server: ServerProcess;
  let data: Awaited<ReturnType<typeof tempDataDir>>;
  const token = 'console-e2e-admin-token-0123456789';
  before(async () => {
    browser = await launchChromium();
    if (!browser) return;
    data = await tempDataDir();
    server = await startServerProcess({ DATA_DIR: data.dir, ADMIN_TOKEN: token });
  });
  after(async () => {
    if (!browser) return;
    await browser.close();
    await server.stop();
    await data.remove();
  });

  it('asks for a token, refuses a wrong one, accepts the right one, shows the health and remembers the sign-in', async (t) => {
    if (!browser) return t.skip('Chromium is not available');
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/admin/#/health`);
    const input = page.locator('tinysphere-admin token-login input[name=token]');
    await input.fill('tsk_not-a-real-token');
    await page.locator('tinysphere-admin token-login button[type=submit]').click();
    await page
      .locator('tinysphere-admin token-login [role=alert]')
      .filter({ hasText: 'not valid' })
      .waitFor({ timeout: 10_000 });

    await input.fill(token);
    await page.locator('tinysphere-admin token-login button[type=submit]').click();
    const health = page.locator('tinysphere-admin health-page [data-testid=health]');
    await health.waitFor({ timeout: 10_000 });
    assert.match((await health.textContent()) ?? '', /ok[\s\S]*pglite[\s\S]*fs/);
    assert.equal(await page.locator('tinysphere-admin [data-testid=whoami]').textContent(), 'ADMIN_TOKEN (admin)');

    await page.reload();
    await health.waitFor({ timeout: 10_000 });
    assert.deepEqual(errors, []);
    await context.close();
  });
});
