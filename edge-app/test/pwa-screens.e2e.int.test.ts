import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../testing/chromium.ts';
import { watchCspViolations } from '../../testing/csp.ts';
import { byTestId, groupWithCode, screenshot, serviceWorkerReady } from '../../testing/pwa.ts';
import { api, pgliteServer, type TestServer } from '../../testing/server-process.ts';

const LABELS = ['drizzle', 'fog', 'rain', 'snow', 'sun'];

/**
 * The working screens in the built app, on a device enrolled against TinySphere with the deployed
 * demo model (its registry metadata carries the reference profile): the demo stream predicts, an
 * injected heat wave raises drift, the Models and Logs screens show the device's state. It enrols
 * through a link, confirmed by a click, and runs under the server's CSP with nothing blocked. Saves a
 * screenshot of each screen at 1080p landscape and phone size under screenshots/pwa/.
 */
describe('the PWA working screens (live, models, logs) in the built app', () => {
  let browser: Browser | undefined;
  let t: TestServer;
  before(async () => {
    browser = await launchChromium();
    if (!browser) return;
    t = await pgliteServer({ DEMO: '1' });
  });
  after(async () => {
    await browser?.close();
    await t?.server.stop();
    await t?.teardown();
  });

  const live = (page: Page, sel: string) => page.locator(`tinylcm-app lcm-live-screen ${sel}`);

  it('replays the demo stream, raises drift after the injected shift, lists models and logs', async (tc) => {
    if (!browser) return tc.skip('Chromium is not available');
    const { groupId, code } = await groupWithCode(t.server.url, t.adminToken, 'screens');
    const deployed = await api(`${t.server.url}/api/v1/deployments`, {
      token: t.adminToken,
      body: { groupId, model: { name: 'seattle-weather', alias: 'champion' }, reason: 'screens e2e' },
    });
    assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const csp = await watchCspViolations(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // An enrolment link (a QR code on the kiosk): the app asks, showing the server, before enrolling.
    const shell = await page.goto(`${t.server.url}/?code=${encodeURIComponent(code)}`);
    assert.match(
      shell?.headers()['content-security-policy'] ?? '',
      /script-src 'self' 'wasm-unsafe-eval'/,
      'the app runs under its CSP',
    );
    assert.equal(shell?.headers()['referrer-policy'], 'no-referrer');
    assert.equal(await serviceWorkerReady(page), true);
    await byTestId(page, 'enrol-link').waitFor();
    assert.equal((await byTestId(page, 'link-server').textContent())?.trim(), t.server.url);
    assert.equal(await page.evaluate(() => location.search), '', 'the code left the address');
    await page.setViewportSize({ width: 1280, height: 800 });
    await screenshot(page, 'enrol-link-kiosk');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'enrol-link-phone');
    await page.setViewportSize({ width: 1920, height: 1080 });
    await byTestId(page, 'confirm-enrol').click();
    const version = deployed.body.model.version as number;
    await byTestId(page, 'active-model')
      .filter({ hasText: `seattle-weather v${version}` })
      .waitFor({ timeout: 30_000 });

    // Live: the demo stream at 100 rows/s, quiet until a heat wave is injected.
    await page.goto(`${t.server.url}/#/live`);
    await live(page, '[data-source=demo][aria-pressed=true]').waitFor({ timeout: 15_000 });
    await live(page, 'select:has(option[value="100"])').selectOption('100');
    await live(page, '[data-testid=play]').click();
    await live(page, '[data-testid=detector]').first().waitFor({ timeout: 15_000 });
    await page.waitForTimeout(1500); // ~100 rows of 2015
    const label = (await live(page, '[data-testid=prediction-label]').textContent())!.trim();
    assert.ok(LABELS.includes(label), label);
    assert.match((await live(page, '[data-testid=drift-summary]').textContent())!, /No drift detected/);
    await live(page, '[data-testid=inject]').selectOption('heat');
    await live(page, '[data-testid=drift-summary]')
      .filter({ hasText: /^\s*Drift detected/ })
      .waitFor({ timeout: 30_000 });
    await live(page, '[data-testid=play]').click();
    assert.ok((await live(page, '[data-testid=detector][data-state=drift]').count()) > 0);
    await page.waitForTimeout(400); // the charts' throttled redraw
    await screenshot(page, 'live-1080p');

    await page.goto(`${t.server.url}/#/models`);
    const row = page.locator(
      `tinylcm-app lcm-models-screen [data-testid=model][data-name=seattle-weather][data-version="${version}"]`,
    );
    await row.waitFor({ timeout: 15_000 });
    assert.equal(await row.getAttribute('data-role'), 'active');
    assert.match((await row.textContent())!, new RegExp(deployed.body.model.sha256.slice(0, 16)));
    await screenshot(page, 'models-1080p');

    await page.goto(`${t.server.url}/#/logs`);
    await page.locator('tinylcm-app lcm-logs-screen [data-testid=record]').first().waitFor({ timeout: 15_000 });
    assert.ok(Number(await page.locator('tinylcm-app lcm-logs-screen [data-testid=stored]').textContent()) > 20);
    await screenshot(page, 'logs-1080p');

    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'logs-phone');
    await page.goto(`${t.server.url}/#/models`);
    await row.waitFor();
    await screenshot(page, 'models-phone');
    await page.goto(`${t.server.url}/#/live`);
    await live(page, '[data-testid=drift-summary]').waitFor();
    await screenshot(page, 'live-phone');
    assert.deepEqual(errors, []);
    // The model ran in the worker (ORT's wasm compiled, the reference fetched, drift charted) under the CSP with nothing blocked.
    assert.deepEqual(csp, [], `CSP violations:\n${csp.join('\n')}`);
    // And the watch sees one when there is one: an image from another origin is refused.
    await page.evaluate(() =>
      document.body.append(
        Object.assign(document.createElement('img'), { src: 'https://elsewhere.invalid/pixel.png' }),
      ),
    );
    await waitUntil(() => csp.some((v) => /img-src blocked https:\/\/elsewhere\.invalid/.test(v)));
    await context.close();
  });
});

async function waitUntil(probe: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
