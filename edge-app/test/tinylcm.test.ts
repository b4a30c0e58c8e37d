import 'fake-indexeddb/auto';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { demoReferenceProfile } from '../../shared/demo/profile.ts';
import { buildDemoModel, parseSeattleWeather, splitByYear } from '../../shared/demo/seattle-weather.ts';
import { sessionBackend } from '../src/lcm/backend.ts';
import { nodeOrt } from '../src/lcm/runtime/ort-node.ts';
import { TinyLCM } from '../src/lcm/tinylcm.ts';
import type { DriftEvent, InferenceObservation } from '../src/lcm/types.ts';
import { seattleWeatherCsvUrl } from '../../shared/demo/dataset.ts';

describe('TinyLCM in Node (same code paths as the worker)', () => {
  it('infers the demo model by feature name, monitors, logs, and raises feature drift on shifted inputs', async () => {
    const csv = await readFile(new URL(seattleWeatherCsvUrl(import.meta.resolve)), 'utf8');
    const { onnx, model, metadata } = buildDemoModel(csv);
    const { train, holdout } = splitByYear(parseSeattleWeather(csv));
    const referenceProfile = demoReferenceProfile(model, train) as unknown as Record<string, unknown>;
    const lcm = await TinyLCM.open({
      backend: sessionBackend(nodeOrt()),
      db: `tinylcm-node-${Date.now()}`,
      models: { storage: null },
    });
    const sha256 = createHash('sha256').update(onnx).digest('hex');
    await lcm.models.add(onnx, {
      name: 'seattle-weather',
      version: 1,
      sha256,
      metadata: { classLabels: metadata.classLabels, features: metadata.features, referenceProfile },
    });
    await lcm.activate('seattle-weather', 1);
    const drifts: DriftEvent[] = [];
    const seen: InferenceObservation[] = [];
    lcm.addEventListener('drift', (e) => drifts.push((e as CustomEvent<DriftEvent>).detail));
    lcm.addEventListener('inference', (e) => seen.push((e as CustomEvent<InferenceObservation>).detail));

    let correct = 0;
    for (const row of holdout) {
      const { observation } = await lcm.infer({
        precipitation: row.precipitation,
        temp_max: row.temp_max,
        temp_min: row.temp_min,
        wind: row.wind,
      });
      if (observation.label === row.weather) correct++;
    }
    assert.ok(correct / holdout.length > 0.8, `hold-out accuracy ${correct / holdout.length}`);
    assert.equal(seen.length, holdout.length);
    const before = drifts.filter((d) => d.kind === 'feature').length;

    // A heat wave the training years never saw: temperatures 15 °C above the hold-out rows.
    for (let i = 0; i < 300; i++) {
      const row = holdout[i % holdout.length]!;
      await lcm.infer({
        precipitation: row.precipitation,
        temp_max: row.temp_max + 15,
        temp_min: row.temp_min + 15,
        wind: row.wind,
      });
    }
    const featureDrifts = drifts.filter((d) => d.kind === 'feature');
    assert.ok(featureDrifts.length > before, 'feature drift detected after the shift');
    assert.ok(
      featureDrifts.slice(before).some((d) => d.feature === 'temp_max' || d.feature === 'temp_min'),
      JSON.stringify(featureDrifts.slice(before).map((d) => d.feature)),
    );

    const snap = lcm.snapshot()!;
    assert.equal(snap.inferences, holdout.length + 300);
    assert.ok(snap.latencyMs.p50 !== null && snap.latencyMs.p50 > 0);
    await lcm.persist();
    const stats = await lcm.logs.stats();
    assert.equal(stats.count, holdout.length + 300);
    const jsonl = await lcm.export('jsonl');
    assert.equal(jsonl.trim().split('\n').length, holdout.length + 300);
    await lcm.close();
  });
});

describe('TinyLCM model switches', () => {
  it('a version that fails to load never becomes active, and the device still opens afterwards', async () => {
    const csv = await readFile(new URL(seattleWeatherCsvUrl(import.meta.resolve)), 'utf8');
    const { onnx, metadata } = buildDemoModel(csv);
    const real = sessionBackend(nodeOrt());
    let failNext = false;
    const backend = {
      ...real,
      load: (bytes: Uint8Array, model: { name: string; version: number; sha256: string }) =>
        failNext ? Promise.reject(new Error('the runtime refused the model')) : real.load(bytes, model),
    };
    const db = `tinylcm-switch-${Date.now()}`;
    const lcm = await TinyLCM.open({ backend, db, models: { storage: null } });
    const sha256 = createHash('sha256').update(onnx).digest('hex');
    const meta = { classLabels: metadata.classLabels, features: metadata.features };
    await lcm.models.add(onnx, { name: 'w', version: 1, sha256, metadata: meta });
    await lcm.models.add(onnx, { name: 'w', version: 2, sha256, metadata: meta });
    await lcm.activate('w', 1);
    failNext = true;
    await assert.rejects(lcm.activate('w', 2), /refused the model/);
    assert.equal(lcm.model?.version, 1);
    assert.equal((await lcm.models.active('w'))?.version, 1, 'the stored pointer did not move');
    failNext = false;
    // Two switches at once end in the order they were asked for.
    await Promise.all([lcm.activate('w', 2), lcm.activate('w', 1)]);
    assert.equal(lcm.model?.version, 1);
    assert.equal((await lcm.models.active('w'))?.version, 1);
    const { observation } = await lcm.infer({ precipitation: 0, temp_max: 20, temp_min: 10, wind: 2 });
    // The record names the version; the model's metadata would otherwise be copied into every log line.
    assert.deepEqual(observation.model, { name: 'w', version: 1, sha256 });
    await lcm.close();
    const again = await TinyLCM.open({ backend: sessionBackend(nodeOrt()), db, models: { storage: null } });
    assert.equal(again.model?.version, 1);
    await again.close();
  });

  it('reopening resumes the model switched to last, also across model names', async () => {
    const csv = await readFile(new URL(seattleWeatherCsvUrl(import.meta.resolve)), 'utf8');
    const { onnx, metadata } = buildDemoModel(csv);
    const db = `tinylcm-names-${Date.now()}`;
    const lcm = await TinyLCM.open({ backend: sessionBackend(nodeOrt()), db, models: { storage: null } });
    const sha256 = createHash('sha256').update(onnx).digest('hex');
    const meta = { classLabels: metadata.classLabels, features: metadata.features };
    // 'zeta' sorts after 'alpha': a resume by name order would pick 'alpha'.
    await lcm.models.add(onnx, { name: 'zeta', version: 1, sha256, metadata: meta });
    await lcm.models.add(onnx, { name: 'alpha', version: 1, sha256, metadata: meta });
    await lcm.activate('alpha', 1);
    await new Promise((r) => setTimeout(r, 5));
    await lcm.activate('zeta', 1);
    await lcm.close();
    const again = await TinyLCM.open({ backend: sessionBackend(nodeOrt()), db, models: { storage: null } });
    assert.equal(again.model?.name, 'zeta');
    await again.close();
  });
});
