import {
  createDetector,
  type AnyDetector,
  type ParamValue,
  type StreamDetector,
} from '../../../../shared/drift/detectors/index.ts';
import { PROFILE_QUANTILES } from '../../../../shared/drift/profile/schema.ts';
import { Channel } from './channel.ts';
import { FEATURE_DETECTOR_DEFAULTS, KNN_DEVICE_DEFAULTS, type DriftConfig } from './config.ts';
import { classReference, confidenceReference, numericFeature, type DriftReference } from './reference.ts';
import type { Standardizer, FeatureReference } from './standardizer.ts';

/**
 * Builds DeviceDrift's channels from the configuration and the model's reference: which detector,
 * with which parameters, reading which reference. Configuration errors throw here, at
 * construction, never later from update() on the inference path.
 */

type Params = Record<string, ParamValue>;

export function featureReferences(
  names: readonly string[],
  ref: DriftReference,
  samples: readonly (readonly number[])[] | undefined,
): (FeatureReference | null)[] {
  const sampleMoments = samples && samples.length > 1 ? columnMoments(samples, names.length) : null;
  return names.map((name, i) => {
    const f = numericFeature(ref.profile, name);
    if (f && f.mean !== null) {
      const q = f.quantiles;
      const knots =
        f.min !== null && f.max !== null && q.length === PROFILE_QUANTILES.length
          ? [f.min, ...q.map((x) => x.value), f.max]
          : undefined;
      return { mean: f.mean, std: Math.sqrt(f.variance ?? 0), ...(knots ? { knots } : {}) };
    }
    return sampleMoments ? (sampleMoments[i] ?? null) : null;
  });
}

function columnMoments(rows: readonly (readonly number[])[], dim: number): FeatureReference[] {
  return Array.from({ length: dim }, (_, j) => {
    let n = 0;
    let mean = 0;
    let m2 = 0;
    for (const r of rows) {
      const x = r[j];
      if (x === undefined || !Number.isFinite(x)) continue;
      n += 1;
      const d = x - mean;
      mean += d / n;
      m2 += d * (x - mean);
    }
    return { mean, std: n > 1 ? Math.sqrt(m2 / (n - 1)) : 0 };
  });
}

export function featureChannel(config: DriftConfig, name: string): Channel {
  const f = config.features;
  const shared = f.detector === 'ewma' ? 'ewma-confidence' : f.detector;
  const params: Params = { ...FEATURE_DETECTOR_DEFAULTS[f.detector], ...f.params };
  return new Channel(
    `feature:${name}`,
    'feature',
    createDetector(shared, params) as StreamDetector<number>,
    config.window,
    name,
  );
}

export function confidenceChannel(config: DriftConfig, ref: DriftReference): Channel {
  const c = confidenceReference(ref.profile);
  const params: Params = { ...(c ? { referenceMean: c.mean, referenceStd: c.std } : {}), ...config.confidence.params };
  return new Channel('confidence', 'confidence', createDetector('ewma-confidence', params), config.window);
}

/** Number of classes when it is known before any inference, else null. */
export function knownClassCount(config: DriftConfig, ref: DriftReference): number | null {
  const given = config.prediction.params.numClasses;
  if (typeof given === 'number' && given > 0) return given;
  const n = ref.classLabels?.length ?? classReference(ref.profile, null)?.probabilities.length ?? 0;
  return n >= 2 ? n : null;
}

export function predictionChannel(config: DriftConfig, ref: DriftReference, numClasses: number): Channel {
  const c = classReference(ref.profile, ref.classLabels);
  const usable = c && c.probabilities.length === numClasses ? c : null;
  const params: Params = {
    numClasses,
    ...(usable ? { reference: usable.probabilities.join(','), referenceSize: usable.size } : {}),
    ...config.prediction.params,
  };
  return new Channel('prediction', 'prediction', createDetector('prediction-distribution', params), config.window);
}

/** Throws now for bad prediction parameters even though the detector is created later. */
export function checkPredictionParams(config: DriftConfig): void {
  const p = config.prediction.params;
  createDetector('prediction-distribution', { numClasses: p.reference ? 0 : 2, ...p });
}

/**
 * The KNN channel on standardised vectors, its reference an evenly spaced subsample of the given
 * training vectors standardised the same way as the incoming ones.
 */
export function knnChannel(
  config: DriftConfig,
  std: Standardizer,
  samples: readonly (readonly number[])[],
): Channel<ArrayLike<number>> {
  const det = createDetector('knn-distance', { ...KNN_DEVICE_DEFAULTS, ...config.knn.params });
  const dim = std.dim;
  const rows = samples.filter((r) => r.length === dim && r.every(Number.isFinite));
  if (rows.length === 0) throw new Error(`referenceSamples has no finite row of ${dim} features`);
  const m = Math.min(config.knn.maxReference, rows.length);
  const flat = new Float64Array(m * dim);
  for (let k = 0; k < m; k++) {
    const row = rows[Math.floor((k * rows.length) / m)] as readonly number[];
    for (let j = 0; j < dim; j++) flat[k * dim + j] = std.z(j, row[j] as number);
  }
  det.setReference(flat, dim);
  return new Channel<ArrayLike<number>>(
    'knn',
    'knn',
    det as AnyDetector as StreamDetector<ArrayLike<number>>,
    config.window,
  );
}
