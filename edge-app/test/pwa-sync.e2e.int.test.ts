import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../../testing/chromium.ts';
import { byTestId, groupWithCode, screenshot, serviceWorkerReady } from '../../testing/pwa.ts';
import { api, pgliteServer, type TestServer } from '../../testing/server-process.ts';
import type { PullProgress } from '../src/lcm/sync/model-pull.ts';
import { demoExpectations } from './fixtures/models.ts';

type Row = { precipitation: number; temp_max: number; temp_min: number; wind: number };
const rows: Row[] = demoExpectations(60).map(({ features: [precipitation, temp_max, temp_min, wind] }) => ({
  precipitation: precipitation!,
  temp_max: temp_max!,
  temp_min: temp_min!,
  wind: wind!,
}));

/** Runs the rows through the page's TinyLCM (the live screen has its own tests); resolves with the labels. */
function inferInPage(page: Page, input: Row[]): Promise<string[]> {
  return page.evaluate(async (input) => {
    const app = document.querySelector('tinylcm-app')!.app!;
    const labels: string[] = [];
    for (const row of input) labels.push(String((await app.lcm!.infer(row)).observation.label));
    return labels;
  }, input);
}

const queued = (page: Page, records: number) =>
  byTestId(page, 'queued-records')
    .filter({ hasText: new RegExp(`^${records}$`) })
    .waitFor({ timeout: 15_000 });

/**
 * One kiosk's life against a real TinySphere: enrol with a code, pull the deployed demo model with
 * progress, infer; lose the network, reload from the service worker, keep inferring and logging;
 * come back, "sync now", and the server holds exactly what the device logged.
 */
describe('the PWA enrolled against TinySphere: model pull, offline reload, queue drain', () => {
  let browser: Browser | undefined;
  let t: TestServer;
  let context: BrowserContext;
  before(async () => {
    browser = await launchChromium();
    if (!browser) return;
    t = await pgliteServer({ DEMO: '1' });
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await t?.server.stop();
    await t?.teardown();
  });

  it('enrols, downloads and activates the deployed model, works offline, then drains its queue to the server', async (tc) => {
    if (!browser) return tc.skip('Chromium is not available');
    const { groupId, code } = await groupWithCode(t.server.url, t.adminToken, 'kiosks');
    const deployed = await api(`${t.server.url}/api/v1/deployments`, {
      token: t.adminToken,
      body: { groupId, model: { name: 'seattle-weather', alias: 'champion' }, reason: 'pwa e2e' },
    });
    assert.equal(deployed.status, 201, JSON.stringify(deployed.body));

    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${t.server.url}/`);
    assert.equal(await serviceWorkerReady(page), true);
    await byTestId(page, 'enrol').waitFor();
    assert.equal(
      await page.locator('tinylcm-app #server').inputValue(),
      t.server.url,
      'the server defaults to the page origin',
    );
    await screenshot(page, 'enrol');

    // Every progress event the app dispatches, as the screens see them.
    await page.evaluate(() => {
      const w = window as unknown as { progress: PullProgress[] };
      w.progress = [];
      document
        .querySelector('tinylcm-app')!
        .app!.addEventListener('download-progress', (e) => w.progress.push((e as CustomEvent<PullProgress>).detail));
    });
    // A slow link (1.5 KB/s) keeps the 1.7 KB model downloading long enough to see it on screen.
    const cdp = await context.newCDPSession(page);
    const throughput = (bytesPerSecond: number) =>
      cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 0,
        downloadThroughput: bytesPerSecond,
        uploadThroughput: -1,
      });
    await cdp.send('Network.enable');
    await throughput(1500);
    await page.locator('tinylcm-app #code').fill(code);
    await byTestId(page, 'enrol').click();
    await byTestId(page, 'sync-state')
      .filter({ hasText: /downloading model \d+\s?%/ })
      .waitFor({ timeout: 30_000 });
    await screenshot(page, 'downloading');
    await throughput(-1);
    await cdp.detach();
    await byTestId(page, 'active-model')
      .filter({ hasText: `seattle-weather v${deployed.body.model.version}` })
      .waitFor({ timeout: 30_000 });
    // Network changes may have asked for another sync; let every asked-for run finish before counting the queue.
    await page.evaluate(() => document.querySelector('tinylcm-app')!.app!.syncNow());
    const progress = await page.evaluate(() => (window as unknown as { progress: PullProgress[] }).progress);
    assert.ok(progress.length > 0, 'download progress was reported');
    assert.equal(progress.at(-1)!.sha256, deployed.body.model.sha256);
    assert.equal(progress.at(-1)!.received, progress.at(-1)!.total, JSON.stringify(progress));
    await byTestId(page, 'sync-state')
      .filter({ hasText: /^synced/ })
      .waitFor({ timeout: 15_000 });
    assert.match((await byTestId(page, 'mode').textContent()) ?? '', /enrolled/);

    const online = await inferInPage(page, rows);
    assert.equal(online.length, 60);
    assert.ok(
      online.every((l) => ['drizzle', 'fog', 'rain', 'snow', 'sun'].includes(l)),
      online.join(),
    );
    await queued(page, 60);
    await screenshot(page, 'status');

    // Offline: the reload comes from the service worker's precache, the model from IndexedDB.
    await context.setOffline(true);
    await page.reload();
    await byTestId(page, 'active-model').filter({ hasText: 'seattle-weather' }).waitFor({ timeout: 30_000 });
    assert.equal(await byTestId(page, 'online').textContent(), 'offline');
    await queued(page, 60);
    const offline = await inferInPage(page, rows.slice(0, 40));
    assert.deepEqual(offline, online.slice(0, 40), 'the same model answers the same');
    // Reloaded at once, before the logger's next flush: records still in memory are spilled on pagehide and kept.
    await page.reload();
    await byTestId(page, 'active-model').filter({ hasText: 'seattle-weather' }).waitFor({ timeout: 30_000 });
    await queued(page, 100);
    await screenshot(page, 'status-offline');

    // Back online: "sync now" sends everything; the server counts what the device logged.
    await context.setOffline(false);
    await page.goto(`${t.server.url}/#/settings`);
    await byTestId(page, 'sync-now').click();
    await byTestId(page, 'settings-message')
      .filter({ hasText: /^Synced/ })
      .waitFor({ timeout: 30_000 });
    await screenshot(page, 'settings');
    await page.goto(`${t.server.url}/#/status`);
    await queued(page, 0);
    assert.equal(await byTestId(page, 'queued-batches').textContent(), '0');
    const logged = await page.evaluate(
      async () => (await document.querySelector('tinylcm-app')!.app!.lcm!.logs.stats()).count,
    );
    assert.equal(logged, 100);
    const fleet = await api(`${t.server.url}/api/v1/fleet/summary`, { token: t.adminToken });
    assert.equal(fleet.body.records, logged, JSON.stringify(fleet.body));
    assert.deepEqual(errors, []);
  });
});
