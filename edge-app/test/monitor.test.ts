import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gaussian, Xoshiro128 } from '../../shared/drift/detectors/index.ts';
import { InferenceMonitor, nodeResourceProbe, QuantileSketch } from '../src/lcm/monitor/index.ts';
import type { InferenceObservation, MonitorAlert } from '../src/lcm/types.ts';
import { makeStream, MODEL, T0 } from './monitor-fixtures.ts';

/** The lower empirical quantile x_(⌊q(n−1)⌋), which DDSketch's guarantee refers to. */
function exact(sorted: readonly number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))] as number;
}

const QS = [0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1];

function obs(i: number, over: Partial<InferenceObservation> = {}): InferenceObservation {
  return {
    id: `o-${i}`,
    ts: T0 + i * 10,
    model: MODEL,
    latencyMs: 0.05,
    confidence: 0.9,
    classIndex: 0,
    batch: 1,
    ...over,
  };
}

describe('QuantileSketch', () => {
  const rng = new Xoshiro128(11);
  const datasets: Record<string, number[]> = {
    lognormal: Array.from({ length: 50_000 }, () => Math.exp(-3 + 0.8 * gaussian(rng))),
    uniform: Array.from({ length: 20_000 }, () => 0.01 + 40 * rng.nextFloat()),
    // a fast mode and a slow tail (GC pauses): 2 % of samples 100× slower
    bimodal: Array.from({ length: 30_000 }, () =>
      rng.nextFloat() < 0.02 ? 5 + rng.nextFloat() : 0.04 + 0.01 * rng.nextFloat(),
    ),
  };
  for (const [name, data] of Object.entries(datasets)) {
    for (const alpha of [0.01, 0.02]) {
      it(`${name}: every quantile within α = ${alpha} of the exact one`, () => {
        const s = new QuantileSketch({ relativeAccuracy: alpha });
        for (const x of data) s.add(x);
        const sorted = [...data].sort((a, b) => a - b);
        for (const q of QS) {
          const e = exact(sorted, q);
          const got = s.quantile(q);
          assert.ok(Math.abs(got - e) <= alpha * e * (1 + 1e-9), `q=${q}: ${got} vs exact ${e}`);
        }
        assert.equal(s.count, data.length);
        assert.equal(s.min, sorted[0]);
        assert.equal(s.max, sorted[sorted.length - 1]);
      });
    }
  }

  it('answers for the union of two sketches without merging them', () => {
    const a = new QuantileSketch();
    const b = new QuantileSketch();
    const all: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const x = Math.exp(gaussian(rng));
      (i % 3 ? a : b).add(x);
      all.push(x);
    }
    all.sort((x, y) => x - y);
    for (const q of [0.5, 0.95, 0.99])
      assert.ok(Math.abs(a.quantile(q, b) - exact(all, q)) <= 0.01 * exact(all, q) * (1 + 1e-9));
  });

  it('is NaN when empty and rejects bad options', () => {
    assert.ok(Number.isNaN(new QuantileSketch().quantile(0.5)));
    assert.throws(() => new QuantileSketch({ relativeAccuracy: 0 }), /relativeAccuracy/);
    assert.throws(() => new QuantileSketch({ minValue: 2, maxValue: 1 }), /minValue/);
  });
});

describe('InferenceMonitor', () => {
  it('summarises latency, outputs, classes and throughput as plain JSON', () => {
    const stream = makeStream(3000, 5);
    const m = new InferenceMonitor({ model: MODEL, resourceProbe: null, recentWindow: 500, throughputWindowSec: 10 });
    for (const o of stream) m.observe(o);
    m.observe(obs(9999, { ts: T0 + 300_000, error: 'bad input' }));
    const s = m.snapshot(T0 + 300_000);
    assert.deepEqual(JSON.parse(JSON.stringify(s)), s);
    assert.equal(s.inferences, 3001);
    assert.equal(s.errors, 1);
    assert.equal(s.latencyMs.count, 3000);
    const lat = stream.map((o) => o.latencyMs).sort((a, b) => a - b);
    for (const [q, v] of [
      [0.5, s.latencyMs.p50],
      [0.95, s.latencyMs.p95],
      [0.99, s.latencyMs.p99],
    ] as const) {
      assert.ok(Math.abs((v as number) - exact(lat, q)) <= 0.01 * exact(lat, q) * (1 + 1e-9), `p${q * 100}`);
    }
    // recent = the last 500..1000 successful inferences
    const recent = stream
      .slice(-s.latencyMs.recent.count)
      .map((o) => o.latencyMs)
      .sort((a, b) => a - b);
    assert.ok(s.latencyMs.recent.count >= 500 && s.latencyMs.recent.count <= 1000);
    assert.ok(
      Math.abs((s.latencyMs.recent.p95 as number) - exact(recent, 0.95)) <= 0.01 * exact(recent, 0.95) * (1 + 1e-9),
    );
    // one inference per 100 ms
    assert.ok(Math.abs(s.throughputPerSec - 10) < 1e-9, `throughput ${s.throughputPerSec}`);
    const byClass = [0, 1, 2].map((k) => stream.filter((o) => o.classIndex === k).length);
    assert.deepEqual(s.classes.counts, byClass);
    assert.deepEqual(s.classes.labels, ['sun', 'rain', 'snow']);
    const meanConf = stream.reduce((a, o) => a + (o.confidence as number), 0) / stream.length;
    assert.ok(Math.abs((s.confidence.mean as number) - meanConf) < 1e-9);
    assert.equal(
      s.confidence.histogram.counts.reduce((a, b) => a + b, 0),
      3000,
    );
    assert.ok(Math.abs(s.entropy.histogram.hi - Math.log(3)) < 1e-12);
    const chart = m.recentLatencies();
    assert.equal(chart.latencyMs.length, 512);
    assert.deepEqual(
      chart.latencyMs,
      stream.slice(-512).map((o) => o.latencyMs),
    );
  });

  it('raises a p95 latency alert once per crossing, clears with hysteresis, raises again', () => {
    const alerts: MonitorAlert[] = [];
    const m = new InferenceMonitor({
      model: MODEL,
      resourceProbe: null,
      recentWindow: 100,
      alerts: { p95LatencyMs: 1, hysteresis: 0.2 },
      onAlert: (a) => alerts.push(a),
    });
    let i = 0;
    const run = (n: number, ms: number) => {
      for (let k = 0; k < n; k++) m.observe(obs(i++, { latencyMs: ms }));
    };
    run(300, 0.5);
    assert.equal(alerts.length, 0);
    run(400, 3); // slow for a while: exactly one alert
    assert.deepEqual(
      alerts.map((a) => [a.kind, a.state]),
      [['p95-latency', 'raised']],
    );
    assert.equal(alerts[0]?.threshold, 1);
    assert.ok((alerts[0]?.value as number) > 1);
    run(400, 0.9); // below the threshold but inside the hysteresis band (> 0.8): still raised
    assert.equal(alerts.length, 1);
    assert.deepEqual(m.snapshot().activeAlerts, ['p95-latency']);
    run(400, 0.5);
    assert.deepEqual(
      alerts.map((a) => a.state),
      ['raised', 'cleared'],
    );
    run(400, 3);
    assert.deepEqual(
      alerts.map((a) => a.state),
      ['raised', 'cleared', 'raised'],
    );
  });

  it('alerts on the low-confidence rate and the error rate over the last N', () => {
    const alerts: MonitorAlert[] = [];
    const m = new InferenceMonitor({
      model: MODEL,
      resourceProbe: null,
      alerts: { lowConfidence: { below: 0.5, rate: 0.3, window: 100 }, errorRate: { rate: 0.05, window: 100 } },
      onAlert: (a) => alerts.push(a),
    });
    let i = 0;
    for (; i < 200; i++) m.observe(obs(i, { confidence: i % 10 < 2 ? 0.4 : 0.9 })); // 20 % low
    assert.equal(alerts.length, 0);
    for (; i < 400; i++) m.observe(obs(i, { confidence: i % 10 < 5 ? 0.4 : 0.9 })); // 50 % low
    assert.deepEqual(
      alerts.map((a) => `${a.kind}:${a.state}`),
      ['low-confidence-rate:raised'],
    );
    for (; i < 600; i++) m.observe(obs(i, i % 10 === 0 ? { error: 'boom' } : {})); // 10 % errors, confident again
    assert.deepEqual(
      alerts.map((a) => `${a.kind}:${a.state}`),
      ['low-confidence-rate:raised', 'low-confidence-rate:cleared', 'error-rate:raised'],
    );
    assert.ok((alerts[2]?.value as number) > 0.05);
    assert.equal(m.snapshot().recent.errorRate, 0.1);
  });

  it('a throwing alert callback does not break observe()', () => {
    const reported: unknown[] = [];
    const g = globalThis as { reportError?: (e: unknown) => void };
    const saved = g.reportError;
    g.reportError = (e) => reported.push(e);
    try {
      const m = new InferenceMonitor({
        model: MODEL,
        resourceProbe: null,
        alerts: { errorRate: { rate: 0.1, window: 10 } },
        onAlert: () => {
          throw new Error('listener bug');
        },
      });
      for (let i = 0; i < 20; i++) m.observe(obs(i, { error: 'x' }));
      assert.equal(m.snapshot().errors, 20);
      assert.equal(reported.length, 1);
    } finally {
      g.reportError = saved;
    }
  });

  it('samples resources through the probe at most every resourceEveryMs, never per inference', async () => {
    let calls = 0;
    const m = new InferenceMonitor({
      model: MODEL,
      resourceEveryMs: 60_000,
      resourceProbe: async () => {
        calls += 1;
        return { jsHeapUsedBytes: 1234, storageUsageBytes: 99, network: { online: true } };
      },
    });
    const now = Date.now();
    for (let i = 0; i < 1000; i++) m.observe(obs(i, { ts: now + i }));
    await m.sampleResources();
    assert.equal(calls, 1); // the in-flight probe was shared
    const r = m.snapshot().resources;
    assert.equal(r?.jsHeapUsedBytes, 1234);
    assert.equal(r?.network?.online, true);
    assert.ok(typeof r?.ts === 'number');
  });

  it('keeps the last good resource sample when the probe fails', async () => {
    let fail = false;
    const m = new InferenceMonitor({
      model: MODEL,
      resourceProbe: async () => (fail ? Promise.reject(new Error('denied')) : { storageQuotaBytes: 5 }),
    });
    await m.sampleResources();
    fail = true;
    await m.sampleResources();
    assert.equal(m.snapshot().resources?.storageQuotaBytes, 5);
  });

  it('the Node probe reports the V8 heap and RSS', async () => {
    const r = await nodeResourceProbe()();
    assert.ok((r.jsHeapUsedBytes as number) > 0 && (r.memoryBytes as number) > 0);
  });
});
