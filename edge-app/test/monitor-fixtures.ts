/**
 * Seeded observation streams and a reference profile for the monitor, drift and logger tests
 * (Node and Chromium alike: pure TypeScript).
 */
import { gaussian, Xoshiro128 } from '../../shared/drift/detectors/index.ts';
import { buildProfile } from '../../shared/drift/profile/index.ts';
import type { ReferenceProfile } from '../../shared/drift/profile/schema.ts';
import type { VersionMetadata } from '../../shared/protocol/registry.ts';
import type { InferenceObservation, ModelRef } from '../src/lcm/types.ts';

export const FEATURES = ['temp', 'wind', 'rain'];
export const LABELS = ['sun', 'rain', 'snow'];
export const MODEL: ModelRef = { name: 'weather', version: 3, sha256: 'c0ffee'.padEnd(64, '0') };
export const T0 = 1_700_000_000_000;

export interface StreamShape {
  /** Added to feature `shiftFeature` (in its std units) from sample `shiftAt` on. */
  shift?: number;
  shiftFeature?: number;
  shiftAt?: number;
  /** Class probabilities of the predicted class (default 0.6 / 0.3 / 0.1). */
  classes?: readonly number[];
  /** Mean and spread of the confidence (default 0.8 ± 0.1). */
  confidence?: { mean: number; std: number };
}

/** Feature i ~ N(10·(i+1), (i+1)²), skewed 'rain' ~ exponential; classes and confidence per shape. */
export function makeStream(
  n: number,
  seed: number,
  shape: StreamShape = {},
  model: ModelRef = MODEL,
): InferenceObservation[] {
  const rng = new Xoshiro128(seed);
  const classes = shape.classes ?? [0.6, 0.3, 0.1];
  const conf = shape.confidence ?? { mean: 0.8, std: 0.1 };
  const out: InferenceObservation[] = [];
  for (let i = 0; i < n; i++) {
    const features = [10 + gaussian(rng), 20 + 2 * gaussian(rng), -3 * Math.log(1 - rng.nextFloat())];
    if (shape.shift && i >= (shape.shiftAt ?? 0)) {
      const f = shape.shiftFeature ?? 0;
      features[f] = (features[f] as number) + shape.shift * [1, 2, 3][f]!;
    }
    let u = rng.nextFloat();
    let k = 0;
    while (k < classes.length - 1 && u >= (classes[k] as number)) u -= classes[k++] as number;
    const c = Math.min(0.999, Math.max(1 / 3, conf.mean + conf.std * gaussian(rng)));
    const rest = (1 - c) / 2;
    const probabilities = LABELS.map((_, j) => (j === k ? c : rest));
    out.push({
      id: `s${seed}-${i}`,
      ts: T0 + i * 100,
      model,
      latencyMs: Math.exp(-3.2 + 0.3 * gaussian(rng)),
      features,
      probabilities,
      classIndex: k,
      label: LABELS[k] as string,
      confidence: c,
      margin: c - rest,
      entropy: -probabilities.reduce((a, p) => a + p * Math.log(p), 0),
      batch: 1,
    });
  }
  return out;
}

/** The profile of a stationary stream, as the registry would attach it to the model version. */
export function referenceProfile(n = 5000, seed = 99): ReferenceProfile {
  const rows = makeStream(n, seed).map((o) => ({
    ...Object.fromEntries(FEATURES.map((f, i) => [f, o.features?.[i]])),
    prediction: o.label,
    confidence: o.confidence,
  }));
  return buildProfile(rows, {
    features: FEATURES.map((name) => ({ name, kind: 'numeric' as const })),
    prediction: 'prediction',
    confidence: 'confidence',
  });
}

export function modelWithProfile(
  profile: ReferenceProfile | null = referenceProfile(),
): ModelRef & { metadata: VersionMetadata } {
  const metadata: VersionMetadata = { features: FEATURES, classLabels: LABELS };
  if (profile) metadata.referenceProfile = profile as unknown as Record<string, unknown>;
  return { ...MODEL, metadata };
}
