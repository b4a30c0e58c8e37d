import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deleteDB } from 'idb';
import { ModelIntegrityError } from '../src/lcm/models/index.ts';
import { TinyLCM } from '../src/lcm/tinylcm.ts';
import type { StoredModel } from '../src/lcm/types.ts';
import { RuntimeWorker } from '../src/worker/client.ts';

const wasmUrl = new URL('/node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm', location.origin).href;
const fetchBytes = async (file: string) =>
  new Uint8Array(await (await fetch(new URL(`./fixtures/${file}`, import.meta.url))).arrayBuffer());
const hex = async (b: Uint8Array) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', b.slice()))]
    .map((x) => x.toString(16).padStart(2, '0'))
    .join('');
const FEATURES = ['precipitation', 'temp_max', 'temp_min', 'wind'];

describe('TinyLCM in Chromium: store → verify → activate → infer (worker) → rollback → reload', () => {
  const dbName = `tinylcm-e2e-${Math.random().toString(36).slice(2)}`;
  let expected: { labels: string[]; rows: { features: number[]; label: number }[] };
  let demo: Uint8Array;
  after(() => deleteDB(dbName));
  before(async () => {
    demo = await fetchBytes('demo.onnx');
    expected = await (await fetch(new URL('./fixtures/demo-expected.json', import.meta.url))).json();
  });

  it('runs the whole path and resumes after a reload with its detector state and unacknowledged logs', async () => {
    const worker = new RuntimeWorker({ wasmUrl, callTimeoutMs: 10_000 });
    const lcm = await TinyLCM.open({ backend: worker, db: dbName });
    const activated: StoredModel[] = [];
    lcm.addEventListener('model-activated', (e) => activated.push((e as CustomEvent<StoredModel>).detail));
    const sha256 = await hex(demo);
    const metadata = { classLabels: expected.labels, features: FEATURES };

    // A corrupted download (one flipped byte) is refused and nothing is kept.
    const corrupted = demo.slice();
    corrupted[100] = corrupted[100]! ^ 0xff;
    let refused: unknown;
    await lcm.models
      .add(corrupted, { name: 'weather', version: 1, sha256, metadata })
      .catch((e: unknown) => (refused = e));
    assert.ok(refused instanceof ModelIntegrityError);
    assert.deepEqual(await lcm.models.list(), []);

    await lcm.models.add(demo.slice(), { name: 'weather', version: 1, sha256, metadata });
    await lcm.models.add(demo.slice(), { name: 'weather', version: 2, sha256, metadata });
    await lcm.activate('weather', 1);
    await lcm.activate('weather', 2);
    assert.deepEqual(
      activated.map((m) => m.version),
      [1, 2],
    );

    for (const row of expected.rows) {
      const record = Object.fromEntries(FEATURES.map((f, i) => [f, row.features[i]!]));
      const { observation } = await lcm.infer(record);
      assert.equal(observation.label, expected.labels[row.label]);
      assert.equal(observation.model.version, 2);
      assert.ok(observation.latencyMs > 0);
    }
    assert.equal(lcm.snapshot()?.inferences, expected.rows.length);

    // A bad input is refused with a clear error and the worker keeps answering.
    let bad: unknown;
    await lcm
      .infer({ features: { type: 'float32', dims: [1, 3], data: new Float32Array(3) } })
      .catch((e: unknown) => (bad = e));
    assert.match(String(bad), /features/);
    assert.equal(lcm.snapshot()?.errors, 1);

    assert.equal((await lcm.rollback('weather')).version, 1);
    const afterRollback = await lcm.infer(
      Object.fromEntries(FEATURES.map((f, i) => [f, expected.rows[0]!.features[i]!])),
    );
    assert.equal(afterRollback.observation.model.version, 1);

    const before = lcm.driftState();
    assert.equal(before?.observations, 1);
    await lcm.close();
    worker.terminate();

    // "Reload": a new TinyLCM on the same database resumes the active version and its detectors.
    const worker2 = new RuntimeWorker({ wasmUrl, callTimeoutMs: 10_000 });
    const again = await TinyLCM.open({ backend: worker2, db: dbName });
    assert.equal(again.model?.version, 1);
    assert.equal(again.driftState()?.observations, 1);
    const stats = await again.logs.stats();
    assert.equal(stats.count, expected.rows.length + 1);
    assert.equal(stats.unsent, stats.count);
    await again.close();
    worker2.terminate();
  });
});
