import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../testing/chromium.ts';
import { startServerProcess, tempDataDir, type ServerProcess } from '../../testing/server-process.ts';

describe('the TinyLCM PWA, production build served by TinySphere, in Chromium', () => {
  let browser: Browser | undefined;
  let server: ServerProcess;
  let data: Awaited<ReturnType<typeof tempDataDir>>;
  before(async () => {
    browser = await launchChromium();
    if (!browser) return;
    data = await tempDataDir();
    server = await startServerProcess({ DATA_DIR: data.dir });
  });
  after(async () => {
    if (!browser) return;
    await browser.close();
    await server.stop();
    await data.remove();
  });

  it('shows that it is online and the server healthy, cross-origin isolated; then notices going offline', async (t) => {
    if (!browser) return t.skip('Chromium is not available');
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url + '/');
    const health = page.locator('tinylcm-app [data-testid=health]');
    await health.filter({ hasText: 'ok (db pglite, blobs fs)' }).waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('tinylcm-app [data-testid=online]').textContent(), 'online');
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
    await context.setOffline(true);
    await page.locator('tinylcm-app [data-testid=online]').filter({ hasText: 'offline' }).waitFor({ timeout: 5000 });
    assert.deepEqual(errors, []);
    await context.close();
  });
});
