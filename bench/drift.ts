/**
 * Streaming drift detectors: samples per second on one core, and detection delay and false alarms on
 * a stream with two change points (at n/3 and 2n/3). Prints one JSON object.
 *   npm run bench -- drift [--scale 0.1]     (scale shrinks every stream, for a quick look)
 * Streams are generated before timing; only the update loop is timed.
 */
import { parseArgs } from 'node:util';
import {
  createDetector,
  gaussian,
  Xoshiro128,
  type AnyDetector,
  type DetectorName,
} from '../shared/drift/detectors/index.ts';

const { values } = parseArgs({ options: { scale: { type: 'string', default: '1' } } });
const scale = Number(values.scale);
if (!(scale > 0 && scale <= 1)) throw new Error('--scale must be in (0, 1]');

type Kind = 'gaussian' | 'bernoulli' | 'confidence' | 'classes';
interface Case {
  detector: DetectorName;
  key: string;
  n: number;
  kind: Kind;
  params?: Record<string, number | string | boolean>;
}

const M = 1_000_000;
const CASES: Case[] = [
  { detector: 'page-hinkley', key: 'pageHinkley', n: 10 * M, kind: 'gaussian' },
  { detector: 'adwin', key: 'adwin', n: 1 * M, kind: 'gaussian' },
  { detector: 'kswin', key: 'kswin', n: 1 * M, kind: 'gaussian' },
  { detector: 'ddm', key: 'ddm', n: 10 * M, kind: 'bernoulli' },
  { detector: 'eddm', key: 'eddm', n: 10 * M, kind: 'bernoulli' },
  { detector: 'hddm-a', key: 'hddmA', n: 10 * M, kind: 'bernoulli' },
  { detector: 'hddm-w', key: 'hddmW', n: 10 * M, kind: 'bernoulli' },
  { detector: 'ewma-confidence', key: 'ewmaConfidence', n: 10 * M, kind: 'confidence' },
  {
    detector: 'prediction-distribution',
    key: 'predictionDistribution',
    n: 10 * M,
    kind: 'classes',
    params: { reference: '0.5,0.3,0.2' },
  },
];

/** Segment parameters: before the first change, between, after the second. */
const SEGMENTS: Record<Kind, [number, number, number]> = {
  // N(mean, 0.1): Page-Hinkley's threshold (50) is in data units, so a unit-variance stream would
  // measure the parameters, not the detector.
  gaussian: [0, 0.1, 0.25],
  bernoulli: [0.05, 0.2, 0.5], // error rate
  confidence: [0.9, 0.75, 0.55], // mean confidence, N(mean, 0.05) clipped to [0, 1]
  classes: [0, 1, 2], // which class distribution: reference, mild shift, strong shift
};
const CLASS_DISTRIBUTIONS = [
  [0.5, 0.3, 0.2],
  [0.35, 0.35, 0.3],
  [0.15, 0.25, 0.6],
];

function stream(kind: Kind, n: number, seed: number): Float64Array {
  const rng = new Xoshiro128(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const seg = i < n / 3 ? 0 : i < (2 * n) / 3 ? 1 : 2;
    const p = SEGMENTS[kind][seg]!;
    if (kind === 'gaussian') out[i] = gaussian(rng, p, 0.1);
    else if (kind === 'bernoulli') out[i] = rng.nextFloat() < p ? 1 : 0;
    else if (kind === 'confidence') out[i] = Math.min(1, Math.max(0, gaussian(rng, p, 0.05)));
    else {
      const u = rng.nextFloat();
      const d = CLASS_DISTRIBUTIONS[p]!;
      out[i] = u < d[0]! ? 0 : u < d[0]! + d[1]! ? 1 : 2;
    }
  }
  return out;
}

function run(det: AnyDetector, xs: Float64Array): { seconds: number; drifts: number[] } {
  const drifts: number[] = [];
  const d = det as unknown as { update(x: number): { drift: boolean } };
  const t0 = performance.now();
  for (let i = 0; i < xs.length; i++) {
    if (d.update(xs[i]!).drift) drifts.push(i);
  }
  return { seconds: (performance.now() - t0) / 1000, drifts };
}

const result: Record<string, unknown> = {
  scale,
  node: process.version,
  cpu: (await import('node:os')).cpus()[0]?.model,
};
const detail: Record<string, unknown> = {};
for (const c of CASES) {
  const n = Math.max(3000, Math.round(c.n * scale));
  const xs = stream(c.kind, n, 42);
  const { seconds, drifts } = run(createDetector(c.detector, c.params ?? {}), xs);
  const c1 = Math.ceil(n / 3);
  const c2 = Math.ceil((2 * n) / 3);
  const first = (from: number, to: number) => drifts.find((i) => i >= from && i < to);
  const d1 = first(c1, c2);
  const d2 = first(c2, n);
  result[`${c.key}PerSec`] = Math.round(n / seconds);
  detail[c.detector] = {
    n,
    changePoints: [c1, c2],
    delays: [d1 === undefined ? null : d1 - c1, d2 === undefined ? null : d2 - c2],
    falseAlarms: drifts.filter((i) => i < c1).length,
    alarmsAfterChange: drifts.filter((i) => i >= c1).length,
    seconds: Math.round(seconds * 1000) / 1000,
  };
}
result.detectors = detail;
result.pageHinkleyOverAdwin =
  Math.round(((result.pageHinkleyPerSec as number) / (result.adwinPerSec as number)) * 100) / 100;
process.stdout.write(`${JSON.stringify(result)}\n`);
