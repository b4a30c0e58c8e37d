import 'fake-indexeddb/auto';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { demoReferenceProfile } from '../../shared/demo/profile.ts';
import { buildDemoModel, parseSeattleWeather, splitByYear } from '../../shared/demo/seattle-weather.ts';
import type { Desired } from '../../shared/documents/index.ts';
import { sessionBackend } from '../src/lcm/backend.ts';
import { nodeOrt } from '../src/lcm/runtime/ort-node.ts';
import { KvStore } from '../src/lcm/storage/db.ts';
import { RemoteConfig } from '../src/lcm/sync/remote-config.ts';
import { TinyLCM } from '../src/lcm/tinylcm.ts';
import type { MonitorAlert } from '../src/lcm/types.ts';
import { seattleWeatherCsvUrl } from '../../shared/demo/dataset.ts';

const csv = await readFile(new URL(seattleWeatherCsvUrl(import.meta.resolve)), 'utf8');
const demo = buildDemoModel(csv);
const { train, holdout } = splitByYear(parseSeattleWeather(csv));
const metadata = {
  classLabels: demo.metadata.classLabels,
  features: demo.metadata.features,
  referenceProfile: demoReferenceProfile(demo.model, train) as unknown as Record<string, unknown>,
};
const sha256 = createHash('sha256').update(demo.onnx).digest('hex');
const rows = holdout.map((r) => ({
  precipitation: r.precipitation,
  temp_max: r.temp_max,
  temp_min: r.temp_min,
  wind: r.wind,
}));

async function open(db: string): Promise<TinyLCM> {
  return TinyLCM.open({ backend: sessionBackend(nodeOrt()), db, models: { storage: null } });
}

const desired = (configVersion: number, config: unknown): Desired =>
  ({ syncIntervalSec: 60, configVersion, config }) as Desired;
const featureParams = (lcm: TinyLCM) => lcm.driftState()!.channels.find((c) => c.key === 'feature:wind')!.detector;

describe('remote configuration on the device', () => {
  it('applies desired.config (detectors, sampling, alerts), refuses a bad one keeping the last good, and brings it back on reopen', async () => {
    const dbName = `remote-config-${Date.now()}`;
    const lcm = await open(dbName);
    await lcm.models.add(demo.onnx, { name: 'weather', version: 1, sha256, metadata });
    await lcm.activate('weather', 1);
    assert.equal(lcm.driftState()!.config.features.detector, 'ewma');
    const remote = new RemoteConfig(lcm, new KvStore(lcm.db));
    assert.deepEqual(remote.report(), { configError: undefined });

    const good = {
      detectors: { features: { detector: 'page-hinkley', params: { threshold: 40 } } },
      sampling: { everyNth: 3 },
      alerts: { p95LatencyMs: 0.000_001, minSamples: 1 },
    };
    assert.equal(await remote.apply(desired(2, good)), true);
    assert.deepEqual(remote.report(), { configVersion: 2, configError: undefined });
    // The detectors in use changed: page-hinkley with the given threshold on every feature.
    assert.equal(lcm.driftState()!.config.features.detector, 'page-hinkley');
    assert.equal(featureParams(lcm).name, 'page-hinkley');
    assert.equal(featureParams(lcm).params.threshold, 40);
    // Sampling: one inference in three is logged; alerts: any latency is over the threshold.
    const alerts: MonitorAlert[] = [];
    lcm.addEventListener('alert', (e) => alerts.push((e as CustomEvent<MonitorAlert>).detail));
    const logged = (await lcm.logs.stats()).count;
    for (const row of rows.slice(0, 66)) await lcm.infer(row);
    await lcm.persist();
    assert.equal((await lcm.logs.stats()).count - logged, 22);
    assert.ok(
      alerts.some((a) => a.kind === 'p95-latency'),
      JSON.stringify(alerts),
    );
    // The same version again is not re-applied (the detectors keep what they learnt).
    const learnt = JSON.stringify(featureParams(lcm).state);
    assert.equal(await remote.apply(desired(2, good)), false);
    assert.equal(JSON.stringify(featureParams(lcm).state), learnt);

    // A config the shared detectors refuse: reported with the reason, the last good one stays in force.
    const bad = { detectors: { features: { detector: 'page-hinkley', params: { threshold: -1 } } } };
    assert.equal(await remote.apply(desired(3, bad)), true);
    const refused = remote.report();
    assert.equal(refused.configVersion, 2);
    assert.match(refused.configError!, /^config version 3 refused: .*threshold.*page-hinkley/);
    assert.ok(refused.configError!.length <= 500);
    assert.equal(featureParams(lcm).params.threshold, 40);
    // Unknown keys are refused too (the device checks with the same schema as the server).
    assert.equal(await remote.apply(desired(4, { ...good, colour: 'red' })), true);
    assert.match(remote.report().configError!, /version 4 refused: .*colour/);

    // A later activation (another version) runs under the applied config, not the one given at open.
    await lcm.models.add(demo.onnx, { name: 'weather', version: 2, sha256, metadata });
    await lcm.activate('weather', 2);
    assert.equal(featureParams(lcm).name, 'page-hinkley');
    assert.equal(featureParams(lcm).params.threshold, 40);
    await lcm.close();

    // Reopened with the refused version still desired: the last good config comes back.
    const again = await open(dbName);
    const restored = new RemoteConfig(again, new KvStore(again.db));
    await restored.restore(desired(3, bad));
    assert.equal(featureParams(again).name, 'page-hinkley');
    assert.equal(featureParams(again).params.threshold, 40);
    assert.equal(restored.report().configVersion, 2);
    assert.match(restored.report().configError!, /version 3 refused/);
    // The server drops the detectors key: the device goes back to its default detectors.
    await restored.apply(desired(5, { sampling: { everyNth: 1 } }));
    assert.deepEqual(restored.report(), { configVersion: 5, configError: undefined });
    assert.equal(featureParams(again).name, 'ewma-confidence');
    await again.close();
  });
});
