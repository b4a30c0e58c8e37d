/**
 * The PWA's working screens (live, models, logs) mounted in Chromium on a real TinyLCM: the runtime
 * worker with onnxruntime-web, IndexedDB, the demo model with its registry metadata (reference
 * profile included). The DeviceApp around it is a fixture built here: the screens only read
 * `lcm`, `status()` and DeviceApp events, which the fixture provides as the contract says.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { deleteDB } from 'idb';
import type { DeviceApp, DeviceSettings, DeviceStatus } from '../src/app/device-app.ts';
import type { PullProgress } from '../src/lcm/sync/model-pull.ts';
import { TinyLCM } from '../src/lcm/tinylcm.ts';
import type { InferenceRecord, StoredModel } from '../src/lcm/types.ts';
import type { LogExport } from '../src/ui/screens/logs-screen.ts';
import '../src/ui/screens/live-screen.ts';
import '../src/ui/screens/logs-screen.ts';
import '../src/ui/screens/models-screen.ts';
import { RuntimeWorker } from '../src/worker/client.ts';
import { SEATTLE_WEATHER_FILE } from '../../shared/demo/dataset.ts';

const wasmUrl = new URL('/node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm', location.origin).href;
const fixture = (file: string) => new URL(`./fixtures/${file}`, import.meta.url);
const fetchBytes = async (file: string) => new Uint8Array(await (await fetch(fixture(file))).arrayBuffer());
const hex = async (b: Uint8Array) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', b.slice()))]
    .map((x) => x.toString(16).padStart(2, '0'))
    .join('');
const FEATURES = ['precipitation', 'temp_max', 'temp_min', 'wind'];
const demoCsv = async () => (await fetch(`/node_modules/${SEATTLE_WEATHER_FILE}`)).text();

class FixtureDeviceApp extends EventTarget implements DeviceApp {
  readonly engine = undefined;
  readonly enrolment = null;
  readonly settings: DeviceSettings = { syncIntervalSec: null, samplingRate: 1, retentionDays: 30 };
  download: PullProgress | undefined;
  constructor(readonly lcm: TinyLCM) {
    super();
  }
  status(): DeviceStatus {
    return {
      mode: 'standalone',
      online: true,
      activeModel: this.lcm.model,
      lastSync: undefined,
      syncing: false,
      nextSyncAt: undefined,
      queued: { batches: 0, records: 0 },
      storage: undefined,
      alerts: [],
      download: this.download,
      updateAvailable: false,
    };
  }
  async importModel(file: File): Promise<StoredModel> {
    const stored = await this.lcm.models.importFile(file);
    return this.lcm.activate(stored.name, stored.version);
  }
  enrol(): Promise<void> {
    return Promise.reject(new Error('no server in this test'));
  }
  syncNow(): Promise<undefined> {
    return Promise.resolve(undefined);
  }
  updateSettings(): Promise<void> {
    return Promise.resolve();
  }
  applyUpdate(): Promise<void> {
    return Promise.resolve();
  }
}

async function waitFor<T>(what: string, probe: () => T | undefined | null | false, timeoutMs = 15_000): Promise<T> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (performance.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const $ = <E extends Element = HTMLElement>(root: Element, sel: string): E | null =>
  (root.shadowRoot ?? root).querySelector<E>(sel);
const $$ = (root: Element, sel: string): HTMLElement[] => [
  ...(root.shadowRoot ?? root).querySelectorAll<HTMLElement>(sel),
];
const text = (root: Element, sel: string) => $(root, sel)?.textContent?.replace(/\s+/g, ' ').trim() ?? '';

function choose(select: HTMLSelectElement, value: string): void {
  select.value = value;
  select.dispatchEvent(new Event('change'));
}

function setFile(input: HTMLInputElement, file: File): void {
  const dt = new DataTransfer();
  dt.items.add(file);
  input.files = dt.files;
  input.dispatchEvent(new Event('change'));
}

interface Rig {
  lcm: TinyLCM;
  app: FixtureDeviceApp;
  close(): Promise<void>;
}

async function rig(): Promise<Rig> {
  const dbName = `pwa-screens-${Math.random().toString(36).slice(2)}`;
  const worker = new RuntimeWorker({ wasmUrl, callTimeoutMs: 10_000 });
  const lcm = await TinyLCM.open({ backend: worker, db: dbName, models: { storage: null } });
  return {
    lcm,
    app: new FixtureDeviceApp(lcm),
    async close() {
      await lcm.close();
      worker.terminate();
      await deleteDB(dbName);
    },
  };
}

async function addDemo(lcm: TinyLCM): Promise<void> {
  const bytes = await fetchBytes('demo.onnx');
  const metadata = await (await fetch(fixture('demo-metadata.json'))).json();
  await lcm.models.add(bytes, { name: 'seattle-weather', version: 1, sha256: await hex(bytes), metadata });
  await lcm.activate('seattle-weather', 1);
}

function mount<K extends 'lcm-live-screen' | 'lcm-models-screen' | 'lcm-logs-screen'>(
  tag: K,
  app: DeviceApp,
  setup?: (el: HTMLElementTagNameMap[K]) => void,
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  el.app = app;
  setup?.(el);
  document.body.append(el);
  return el;
}

describe('PWA screens on a real TinyLCM in Chromium', { timeout: 60_000 }, () => {
  let r: Rig;
  beforeEach(async () => (r = await rig()));
  afterEach(async () => {
    document.body.replaceChildren();
    await r.close();
  });

  it('live: says when no model is active, predicts a typed row, replays the demo stream and raises drift once drift is injected', async () => {
    const screen = mount('lcm-live-screen', r.app, (el) => (el.demoCsv = demoCsv));
    await waitFor('the no-model notice', () => $(screen, '[data-testid=no-model]'));
    assert.match(text(screen, '[data-testid=no-model]'), /No model is active/);
    assert.notEqual($(screen, '[data-testid=no-model] a[href="#/models"]'), null);

    await addDemo(r.lcm);
    await waitFor('the input sources', () => $(screen, '[data-source=demo]'));
    assert.deepEqual(
      $$(screen, '[data-source]').map((b) => b.dataset.source),
      ['demo', 'csv', 'form'],
    );

    // One typed row: the prediction the model's TypeScript twin makes for the first 2015 day.
    const expected: { labels: string[]; rows: { features: number[]; label: number; probabilities: number[] }[] } =
      await (await fetch(fixture('demo-expected.json'))).json();
    const row = expected.rows[1]!;
    $(screen, '[data-source=form]')!.click();
    const form = await waitFor('the row form', () => $(screen, 'lcm-row-form'));
    await waitFor('the form fields', () => $(form, 'input[name=wind]'));
    FEATURES.forEach((f, i) => ($<HTMLInputElement>(form, `input[name=${f}]`)!.value = String(row.features[i])));
    $(form, 'button[type=submit]')!.click();
    await waitFor(
      'the typed row prediction',
      () => text(screen, '[data-testid=prediction-label]') === expected.labels[row.label],
    );
    const conf = Math.max(...row.probabilities);
    assert.equal(text(screen, '[data-testid=prediction-confidence]'), `${(conf * 100).toFixed(1)} %`);

    // The demo stream at 100 rows/s: predictions of 2015 days, no drift while nothing is injected.
    let seen = 0;
    r.lcm.addEventListener('inference', () => seen++);
    $(screen, '[data-source=demo]')!.click();
    await waitFor('the demo controls', () => $(screen, '[data-testid=play]'));
    choose($$(screen, 'select').find((s) => s.querySelector('option[value="100"]')) as HTMLSelectElement, '100');
    $(screen, '[data-testid=play]')!.click();
    await waitFor('80 demo inferences', () => seen >= 80);
    assert.match(
      text(screen, '[data-testid=prediction-input]'),
      /^2015-\d\d-\d\d: actual weather (drizzle|fog|rain|snow|sun)$/,
    );
    assert.ok(expected.labels.includes(text(screen, '[data-testid=prediction-label]')));
    const panel = $(screen, 'lcm-drift-panel')!;
    await waitFor('the detector table', () => $$(panel, '[data-testid=detector]').length > 0);
    assert.match(text(panel, '[data-testid=drift-summary]'), /^No drift detected/);
    const detectors = $$(panel, '[data-testid=detector]').map((d) => d.dataset.key);
    assert.deepEqual(
      FEATURES.map((f) => `feature:${f}`).filter((k) => !detectors.includes(k)),
      [],
    );

    // A heat wave: the temperature monitors alarm, and the histogram compares with the training profile.
    choose($<HTMLSelectElement>(screen, '[data-testid=inject]')!, 'heat');
    await waitFor(
      'drift to be raised',
      () => /^Drift detected/.test(text(panel, '[data-testid=drift-summary]')),
      20_000,
    );
    $(screen, '[data-testid=play]')!.click();
    const drifting = $$(panel, '[data-testid=detector][data-state=drift]').map((d) => d.dataset.key);
    assert.equal(
      drifting.some((k) => k === 'feature:temp_max' || k === 'feature:temp_min'),
      true,
      drifting.join(),
    );
    assert.match(text(screen, '[data-testid=prediction-input]'), /drift injected/);
    const hist = $(panel, 'lcm-histogram-chart') as HTMLElement & {
      comparison?: { feature: string; reference: number[]; current: number[] };
    };
    await waitFor('the drifting feature histogram', () => hist.comparison?.feature.startsWith('temp_'));
    assert.ok(hist.comparison!.reference.length > 2);
    assert.equal(hist.comparison!.current.length, hist.comparison!.reference.length);
    assert.notEqual($(hist, 'canvas'), null);
  });

  it('models: imports two versions, rolls back and activates, and shows a resumed download', async () => {
    const screen = mount('lcm-models-screen', r.app);
    await waitFor('the empty list', () => $(screen, '[data-testid=no-models]'));
    const input = () => $<HTMLInputElement>(screen, '[data-testid=import-file]')!;
    for (const v of [1, 2]) {
      setFile(input(), new File([await fetchBytes(`classifier-v${v}.onnx`)], `classifier-v${v}.onnx`));
      await waitFor(`import ${v}`, () =>
        text(screen, '[data-testid=message]').startsWith(`Imported classifier-v${v}.onnx as tiny_classifier v${v}`),
      );
    }
    const roles = () =>
      Object.fromEntries($$(screen, '[data-testid=model]').map((m) => [m.dataset.version, m.dataset.role]));
    await waitFor('two versions', () => roles()['1'] === 'previous' && roles()['2'] === 'active');
    assert.equal(r.lcm.model?.version, 2);
    assert.match(text(screen, '[data-testid=model][data-version="2"]'), /[0-9a-f]{16}…/);

    $(screen, '[data-version="2"] [data-action=rollback]')!.click();
    await waitFor('the rollback', () => roles()['1'] === 'active');
    assert.equal(text(screen, '[data-testid=message]'), 'Rolled tiny_classifier back to v1.');
    assert.equal(r.lcm.model?.version, 1);

    $(screen, '[data-version="2"] [data-action=activate]')!.click();
    await waitFor('the activation', () => roles()['2'] === 'active' && roles()['1'] === 'previous');
    assert.equal(r.lcm.model?.version, 2);

    // A file that is not ONNX: refused, in words.
    setFile(input(), new File([new TextEncoder().encode('not a model')], 'notes.txt'));
    await waitFor('the import error', () =>
      text(screen, '[data-testid=error]').startsWith('Could not import notes.txt:'),
    );

    // A download that resumed: the first progress the page sees already has bytes on the device.
    const progress = (received: number) => {
      r.app.download = { sha256: 'ab'.repeat(32), received, total: 4096 };
      r.app.dispatchEvent(new CustomEvent('download-progress', { detail: r.app.download }));
    };
    progress(1024);
    progress(3072);
    await waitFor(
      'the progress',
      () => text(screen, '[data-testid=download-progress]') === '3.00 KiB of 4.00 KiB (75.0 %)',
    );
    assert.equal(text(screen, '[data-testid=download-resumed]'), 'Resumed: 1.00 KiB were already on the device.');
    assert.equal($<HTMLProgressElement>(screen, '[data-testid=download] progress')!.value, 3072);
  });

  it('logs: shows records with their sync state and exports JSON Lines and CSV', async () => {
    await addDemo(r.lcm);
    const expected: { rows: { features: number[] }[] } = await (await fetch(fixture('demo-expected.json'))).json();
    const infer = (i: number) =>
      r.lcm.infer(Object.fromEntries(FEATURES.map((f, j) => [f, expected.rows[i]!.features[j]!])));
    for (let i = 0; i < 5; i++) await infer(i);
    // The first five go up and are acknowledged; two more stay queued.
    const unacked: InferenceRecord[] = await r.lcm.logs.unacked();
    await r.lcm.logs.markSent(
      unacked.map((x) => x.segment!),
      'batch-1',
    );
    await r.lcm.logs.acknowledge('batch-1');
    for (let i = 5; i < 7; i++) await infer(i);

    const screen = mount('lcm-logs-screen', r.app);
    await waitFor('seven records', () => $$(screen, '[data-testid=record]').length === 7);
    assert.deepEqual(
      $$(screen, '[data-testid=record]').map((x) => x.dataset.state),
      ['queued', 'queued', 'acknowledged', 'acknowledged', 'acknowledged', 'acknowledged', 'acknowledged'],
    );
    assert.equal(text(screen, '[data-testid=stored]'), '7');
    assert.equal(text(screen, '[data-testid=unsent]'), '2');
    assert.equal(text(screen, '[data-testid=acknowledged]'), '5');

    const exports: LogExport[] = [];
    screen.addEventListener('lcm-export', (e) => exports.push((e as CustomEvent<LogExport>).detail));
    $(screen, '[data-format=jsonl]')!.click();
    await waitFor('the JSONL export', () => exports.length === 1);
    const lines = exports[0]!.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as InferenceRecord);
    assert.equal(lines.length, 7);
    assert.deepEqual(
      lines.map((x) => x.acked),
      [true, true, true, true, true, false, false],
    );
    assert.deepEqual(lines[0]!.input, expected.rows[0]!.features.map(Math.fround)); // the model takes float32
    assert.match(exports[0]!.fileName, /^tinylcm-logs-.*\.jsonl$/);
    assert.match(text(screen, '[data-testid=message]'), /^Exported 7 records as tinylcm-logs-.*\.jsonl/);

    $(screen, '[data-format=csv]')!.click();
    await waitFor('the CSV export', () => exports.length === 2);
    const rows = exports[1]!.text.trim().split('\r\n');
    assert.equal(rows[0]!.startsWith('segment,id,ts,time,model,version'), true);
    assert.equal(rows.length, 8);
    assert.deepEqual(
      rows.slice(1).map((l) => l.split(',')[1]),
      lines.map((x) => x.id),
    );
  });
});
