import { z } from 'zod';
import { createDetector } from './detectors/index.ts';

/**
 * Which on-device drift monitors run and how; the same JSON later arrives from the server as the
 * device's `desired.detectors`. Unknown keys are refused so a typo does not silently disable a
 * monitor; detector parameters are checked by the detectors themselves (shared/drift/detectors).
 */
const Params = z
  .record(z.string().min(1).max(64), z.union([z.number(), z.string().max(20_000), z.boolean()]))
  .refine((p) => Object.keys(p).length <= 32, 'at most 32 parameters');

const FeatureConfig = z
  .object({
    enabled: z.boolean().default(true),
    /**
     * 'ewma': an EWMA control chart (the ewma-confidence detector, two-sided) on the standardised
     * value against the reference (mean 0, std 1) — drift relative to the training data, also for
     * a stream that is off from its first sample. 'page-hinkley' | 'adwin' | 'kswin': change
     * within the stream itself (they compare with the stream's own past, not the profile).
     */
    detector: z.enum(['ewma', 'page-hinkley', 'adwin', 'kswin']).default('ewma'),
    params: Params.default({}),
    /**
     * How a value is standardised: 'quantile' maps it through the profile's quantiles (the
     * reference CDF) to a unit-variance uniform score, robust to skewed features; 'zscore' uses
     * the profile's mean and std. 'quantile' falls back to 'zscore' where the profile has no
     * quantiles (and without a profile the moments are learned from the first `warmup` samples).
     */
    transform: z.enum(['quantile', 'zscore']).default('quantile'),
    /** z-scores are clipped to ±clip so one outlier cannot raise an alarm on its own. */
    clip: z.number().positive().default(8),
    /** Observations to learn a feature's mean/std from when neither profile nor samples give them. */
    warmup: z.number().int().min(2).max(1_000_000).default(200),
    /** Watch only these features (by name); default all. */
    only: z.array(z.string().max(200)).max(1000).optional(),
  })
  .strict();

const DetectorConfig = z.object({ enabled: z.boolean().default(true), params: Params.default({}) }).strict();

const KnnConfig = z
  .object({
    enabled: z.boolean().default(true),
    params: Params.default({}),
    /** Reference vectors kept from `referenceSamples` (an evenly spaced subsample); cost per inference ~ 17 ns × maxReference × dim/4 (shared detector). */
    maxReference: z.number().int().min(1).max(5000).default(100),
  })
  .strict();

export const DriftConfigSchema = z
  .object({
    features: FeatureConfig.prefault({}),
    confidence: DetectorConfig.prefault({}),
    prediction: DetectorConfig.prefault({}),
    knn: KnnConfig.prefault({}),
    /** Statistics kept per monitor and attached to its events. */
    window: z.number().int().min(1).max(1000).default(32),
    /** Recent observations attached to each event. */
    samples: z.number().int().min(0).max(50).default(5),
    /** No events (and no flags) for the first `warmup` observations; detectors still learn. */
    warmup: z.number().int().min(0).max(10_000_000).default(0),
  })
  .strict();

export type DriftConfig = z.output<typeof DriftConfigSchema>;
export type DriftConfigInput = z.input<typeof DriftConfigSchema>;

/** Parameters the device uses unless the configuration overrides them (see README). */
export const FEATURE_DETECTOR_DEFAULTS = {
  ewma: { mode: 'both', referenceMean: 0, referenceStd: 1 },
  // River's forgetting factor (0.9999) makes PH alarm every few thousand unit-variance samples;
  // without it and with δ = 0.25σ, λ = 25σ: ~1 false alarm per 10⁶, a 1σ shift in ~25 samples.
  'page-hinkley': { alpha: 1, delta: 0.25, threshold: 25 },
  adwin: {},
  kswin: {},
} as const;

/**
 * KNN distances of real (skewed) features are heavier-tailed than the Gaussian the shared defaults
 * are derived for: with them a stationary 3-feature stream gave ~44 false alarms per 100k; a longer
 * warm-up and λ = 14σ gave ~7 with the same median delay (~30 samples for a 1-2σ shift).
 */
export const KNN_DEVICE_DEFAULTS = { warmup: 1000, lambdaStd: 14 } as const;

/** Validates and fills in a configuration (throws a ZodError naming the bad key). */
export function parseDriftConfig(input: unknown = {}): DriftConfig {
  return DriftConfigSchema.parse(input ?? {});
}

/** Parameters that size a detector's buffers, and their bound. */
const SIZE_PARAMS = new Set(['windowSize', 'statSize', 'k', 'maxBuckets', 'numClasses']);
export const MAX_DETECTOR_SIZE = 100_000;

/**
 * Builds each monitor's detector once with the parameters the device would use, so a bad
 * parameter is refused where the configuration is written (the server's PUT, the device's apply)
 * with the detector's own message, not when the first inference reaches it. Returns the path of
 * the offending `params` object and the message, or null when every detector accepts its own.
 */
export function checkDetectorParams(config: DriftConfig): { path: string[]; message: string } | null {
  // Detectors allocate buffers of these sizes when built: a huge one would exhaust the checker's memory.
  for (const monitor of ['features', 'confidence', 'prediction', 'knn'] as const) {
    for (const [key, v] of Object.entries(config[monitor].params)) {
      const sized = SIZE_PARAMS.has(key) || (monitor === 'knn' && key === 'referenceSize');
      if (sized && typeof v === 'number' && v > MAX_DETECTOR_SIZE)
        return { path: [monitor, 'params', key], message: `${key} must be at most ${MAX_DETECTOR_SIZE}, got ${v}` };
    }
  }
  const f = config.features;
  const tries: [string[], () => unknown][] = [
    [
      ['features', 'params'],
      () =>
        createDetector(f.detector === 'ewma' ? 'ewma-confidence' : f.detector, {
          ...FEATURE_DETECTOR_DEFAULTS[f.detector],
          ...f.params,
        }),
    ],
    [['confidence', 'params'], () => createDetector('ewma-confidence', config.confidence.params)],
    // The class count is learnt later on the device; 2 stands in unless a reference gives its own.
    [
      ['prediction', 'params'],
      () =>
        createDetector('prediction-distribution', {
          numClasses: config.prediction.params.reference ? 0 : 2,
          ...config.prediction.params,
        }),
    ],
    [['knn', 'params'], () => createDetector('knn-distance', { ...KNN_DEVICE_DEFAULTS, ...config.knn.params })],
  ];
  for (const [path, build] of tries) {
    try {
      build();
    } catch (err) {
      return { path, message: (err as Error).message };
    }
  }
  return null;
}
