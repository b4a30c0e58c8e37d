/**
 * The PWA offline: how fast the installed app comes back with no network, in Chromium against the
 * production build served by TinySphere (DEMO=1).
 *   npm run bench -- pwa [--runs 5]
 * Warm-up (online): open the app, let the service worker install and precache, import the demo
 * model through the Models screen. Then, per run, a fresh Chromium on the same profile (so a cold
 * start: new processes, caches only on disk) with the network emulated off and the server stopped:
 *   offlineColdStartMs  navigation start → the shell shows a started device with its model loaded
 *                       (device layer opened, runtime worker up, ORT session created and warmed)
 *   firstInferenceMs    navigation start → the first demo-model prediction on the Live screen
 *                       (#/live?autoplay=demo starts the bundled demo stream at once)
 * Prints one JSON object: medians, every run, and the target (first inference < 1 s).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildDemoModel } from '../shared/demo/seattle-weather.ts';
import { build } from '../scripts/build.ts';
import { CHROME_PATH, CHROMIUM_ARGS } from '../testing/chromium.ts';
import { startServerProcess, tempDataDir } from '../testing/server-process.ts';
import { seattleWeatherCsvUrl } from '../shared/demo/dataset.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
const TARGET_FIRST_INFERENCE_MS = 1000;
const say = (line: string) => process.stderr.write(`[bench pwa] ${line}\n`);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const round = (x: number) => Math.round(x * 10) / 10;

// Evaluated in the page, polled every animation frame: performance.now() is measured from the
// navigation's start, so the value returned when the condition first holds is the time we want.
const deviceStarted = () => {
  const shell = document.querySelector('tinylcm-app')?.shadowRoot;
  const sync = shell?.querySelector('[data-testid=sync-state]')?.textContent?.trim();
  const model = shell?.querySelector('[data-testid=active-model]')?.textContent?.trim();
  return sync && sync !== 'starting…' && model && model !== 'no model' ? performance.now() : false;
};
const firstPrediction = () => {
  const live = document.querySelector('tinylcm-app')?.shadowRoot?.querySelector('lcm-live-screen')?.shadowRoot;
  return live?.querySelector('[data-testid=prediction-label]')?.textContent?.trim() ? performance.now() : false;
};

async function launch(profile: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROME_PATH,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1920, height: 1080 },
  });
}

async function pageOf(context: BrowserContext): Promise<Page> {
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => say(`page error: ${e.message}`));
  return page;
}

const built = await build();
say(built ? 'built the web apps' : 'web apps are up to date');
const data = await tempDataDir();
const profile = await mkdtemp(path.join(os.tmpdir(), 'bench-pwa-profile-'));
const server = await startServerProcess({ DATA_DIR: data.dir, DEMO: '1' });
let serverStopped = false;
const results: { offlineColdStartMs: number; firstInferenceMs: number; label: string; controlled: boolean }[] = [];
try {
  // ---- warm-up, online ----
  const csv = await readFile(new URL(seattleWeatherCsvUrl(import.meta.resolve)), 'utf8');
  const onnx = buildDemoModel(csv).onnx;
  let context = await launch(profile);
  let page = await pageOf(context);
  await page.goto(`${server.url}/#/models`);
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  // The first visit installs the worker; a reload puts the page under its control.
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
  await page
    .locator('lcm-models-screen [data-testid=import-file]')
    .setInputFiles({ name: 'seattle-weather.onnx', mimeType: 'application/octet-stream', buffer: Buffer.from(onnx) });
  await page
    .locator('lcm-models-screen [data-testid=message]')
    .filter({ hasText: 'Imported seattle-weather.onnx' })
    .waitFor({ timeout: 30_000 });
  await page.goto(`${server.url}/#/live`);
  await page.locator('lcm-live-screen [data-source=demo]').waitFor({ timeout: 30_000 });
  await context.close();
  await server.stop();
  serverStopped = true;
  say('warm-up done; server stopped');

  // ---- measured runs: cold browser, network off, server gone ----
  for (let i = 0; i < runs; i++) {
    context = await launch(profile);
    await context.setOffline(true);
    page = await pageOf(context);
    await page.goto(`${server.url}/#/live?autoplay=demo`, { waitUntil: 'commit' });
    const started = (await (
      await page.waitForFunction(deviceStarted, undefined, { polling: 'raf', timeout: 60_000 })
    ).jsonValue()) as number;
    const inferred = (await (
      await page.waitForFunction(firstPrediction, undefined, { polling: 'raf', timeout: 60_000 })
    ).jsonValue()) as number;
    const label = (await page.locator('lcm-live-screen [data-testid=prediction-label]').textContent())?.trim() ?? '';
    const controlled = await page.evaluate(() => navigator.serviceWorker.controller !== null);
    results.push({ offlineColdStartMs: round(started), firstInferenceMs: round(inferred), label, controlled });
    const marks = await page.evaluate(() => [
      ...performance.getEntriesByType('mark').map((m) => `${m.name} ${m.startTime.toFixed(0)}`),
      ...performance
        .getEntriesByType('resource')
        .filter((r) => r.duration > 30)
        .map((r) => `${r.name.split('/').pop()} ${r.startTime.toFixed(0)}+${r.duration.toFixed(0)}`),
    ]);
    say(`run ${i + 1} timeline: ${marks.join(' | ')}`);
    say(`run ${i + 1}: started ${round(started)} ms, first prediction "${label}" at ${round(inferred)} ms`);
    await context.close();
  }
} finally {
  if (!serverStopped) await server.stop();
  await data.remove();
  await rm(profile, { recursive: true, force: true });
}

const first = median(results.map((r) => r.firstInferenceMs));
process.stdout.write(
  `${JSON.stringify({
    bench: 'pwa',
    runs: results.length,
    offlineColdStartMs: median(results.map((r) => r.offlineColdStartMs)),
    firstInferenceMs: first,
    targetFirstInferenceMs: TARGET_FIRST_INFERENCE_MS,
    meetsTarget: first < TARGET_FIRST_INFERENCE_MS,
    allControlledByServiceWorker: results.every((r) => r.controlled),
    perRun: results,
    viewport: '1920x1080',
    note: 'medians over cold Chromium starts on a warm profile; network emulated offline and the server stopped',
  })}\n`,
);
