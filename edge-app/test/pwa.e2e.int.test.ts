import assert from 'node:assert/strict';
import { appendFile, cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { launchPersistentChromium } from '../../testing/chromium.ts';
import { byTestId, screenshot, serviceWorkerReady } from '../../testing/pwa.ts';
import { pgliteServer, REPO_ROOT, type TestServer } from '../../testing/server-process.ts';

/**
 * The built PWA served by TinySphere, in a persistent Chromium profile (as an installed kiosk
 * app runs): installable, cross-origin isolated, keyboard navigable, standalone mode with a model
 * from a file, and a new version offered as "update available — reload". The server serves a
 * copy of dist/ so the test can publish a new service worker.
 */
describe('the TinyLCM PWA, production build served by TinySphere, in Chromium', () => {
  let context: BrowserContext | undefined;
  let t: TestServer;
  let profile: string;
  let webRoot: string;
  let page: Page;
  const errors: string[] = [];
  before(async () => {
    profile = await mkdtemp(path.join(os.tmpdir(), 'tinylcm-profile-'));
    context = await launchPersistentChromium(profile, { viewport: { width: 1920, height: 1080 } });
    if (!context) return;
    webRoot = await mkdtemp(path.join(os.tmpdir(), 'tinylcm-web-'));
    await cp(path.join(REPO_ROOT, 'dist'), webRoot, { recursive: true, filter: (src) => !src.endsWith('.map') });
    t = await pgliteServer({ WEB_ROOT: webRoot });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${t.server.url}/`);
  });
  after(async () => {
    await context?.close();
    await t?.server.stop();
    await t?.teardown();
    await rm(profile, { recursive: true, force: true });
    if (webRoot) await rm(webRoot, { recursive: true, force: true });
  });

  it('is installable: the manifest and its generated icons load, Chromium reports no installability errors', async (tc) => {
    if (!context) return tc.skip('Chromium is not available');
    assert.equal(await serviceWorkerReady(page), true);
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
      installabilityErrors: { errorId: string }[];
    };
    assert.deepEqual(installabilityErrors, []);
    const manifest = (await page.evaluate(async () => (await fetch('/manifest.webmanifest')).json())) as {
      display: string;
      display_override: string[];
      icons: { src: string; sizes: string; purpose?: string }[];
    };
    assert.equal(manifest.display, 'standalone');
    assert.deepEqual(manifest.display_override, ['fullscreen', 'standalone']);
    for (const icon of manifest.icons.filter((i) => i.src.endsWith('.png'))) {
      const [w, h] = await page.evaluate(async (src) => {
        const img = await createImageBitmap(await (await fetch(src)).blob());
        return [img.width, img.height];
      }, icon.src);
      assert.equal(`${w}x${h}`, icon.sizes, icon.src);
    }
    assert.ok(manifest.icons.some((i) => i.purpose === 'maskable' && i.sizes === '512x512'));
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
  });

  it('opens on Enrol when new; the tabs work from the keyboard and follow the hash', async (tc) => {
    if (!context) return tc.skip('Chromium is not available');
    await byTestId(page, 'enrol').waitFor();
    assert.equal(await page.locator('tinylcm-app main').getAttribute('data-route'), 'enrol');
    await page.locator('tinylcm-app #tab-enrol').focus();
    await page.keyboard.press('ArrowRight');
    await page.waitForURL(/#\/status$/);
    await byTestId(page, 'queued-records').waitFor();
    await page.keyboard.press('End');
    await page.waitForURL(/#\/settings$/);
    assert.equal(
      await page.evaluate(() => document.querySelector('tinylcm-app')!.shadowRoot!.activeElement?.id),
      'tab-settings',
    );
    await byTestId(page, 'sync-now').waitFor();
    assert.equal(await byTestId(page, 'sync-now').isDisabled(), true, 'nothing to sync with before enrolment');
    await page.goto(`${t.server.url}/#/enrol`);
  });

  it('standalone mode: a model imported from a file becomes active and answers; status shows storage and queue', async (tc) => {
    if (!context) return tc.skip('Chromium is not available');
    await byTestId(page, 'import-model').setInputFiles(path.join(REPO_ROOT, 'edge-app/test/fixtures/demo.onnx'));
    await byTestId(page, 'enrol-done')
      .filter({ hasText: /Imported and activated/ })
      .waitFor({ timeout: 30_000 });
    const name = (await page.evaluate(() => document.querySelector('tinylcm-app')!.app!.status().activeModel?.name))!;
    await byTestId(page, 'active-model')
      .filter({ hasText: `${name} v1` })
      .waitFor();
    const result = await page.evaluate(async () => {
      const app = document.querySelector('tinylcm-app')!.app!;
      const r = await app.lcm!.infer({ precipitation: 0, temp_max: 20, temp_min: 11, wind: 3 });
      return { label: r.observation.label, mode: app.status().mode };
    });
    assert.equal(result.mode, 'standalone');
    assert.ok(result.label, 'a prediction');
    await page.goto(`${t.server.url}/#/status`);
    await byTestId(page, 'queued-records').filter({ hasText: /^1$/ }).waitFor({ timeout: 10_000 });
    assert.match((await byTestId(page, 'storage').textContent()) ?? '', /of .*\(\d+ %\)/);
    assert.match((await byTestId(page, 'sync-state').textContent()) ?? '', /standalone/);
    await screenshot(page, 'status-standalone-1080p');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'status-phone');
    await page.setViewportSize({ width: 1920, height: 1080 });
  });

  it('a new version waiting shows "update available — reload"; Reload switches to it', async (tc) => {
    if (!context) return tc.skip('Chromium is not available');
    // The first load was not controlled (no clients.claim): reload so the running worker controls the page.
    await page.reload();
    assert.equal(await page.evaluate(() => !!navigator.serviceWorker.controller), true);
    assert.equal(await byTestId(page, 'update-banner').count(), 0);
    await appendFile(path.join(webRoot, 'edge-app', 'sw.js'), '\n// a new release\n');
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());
    await byTestId(page, 'update-banner').waitFor({ timeout: 60_000 });
    await screenshot(page, 'update-available');
    const navigated = page.waitForEvent('framenavigated', { timeout: 30_000 });
    await byTestId(page, 'update-banner').getByRole('button', { name: 'Reload' }).click();
    await navigated;
    await byTestId(page, 'active-model').waitFor();
    assert.equal(await byTestId(page, 'update-banner').count(), 0);
    assert.equal(await page.evaluate(async () => !(await navigator.serviceWorker.getRegistration())!.waiting), true);
    assert.deepEqual(errors, []);
  });
});
