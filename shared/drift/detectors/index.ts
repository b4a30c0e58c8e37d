/**
 * Registry of the streaming drift detectors: create by name with validated parameters, restore
 * from a serialised state, and list the documented defaults (for the CLIs and the console).
 */
import { Adwin, ADWIN_DEFAULTS, ADWIN_PARAM_DOCS } from './adwin.ts';
import { Ddm, DDM_DEFAULTS, DDM_PARAM_DOCS } from './ddm.ts';
import { Eddm, EDDM_DEFAULTS, EDDM_PARAM_DOCS } from './eddm.ts';
import { EwmaConfidence, EWMA_CONFIDENCE_DEFAULTS, EWMA_CONFIDENCE_PARAM_DOCS } from './ewma-confidence.ts';
import { HddmA, HDDM_A_DEFAULTS, HDDM_A_PARAM_DOCS } from './hddm-a.ts';
import { HddmW, HDDM_W_DEFAULTS, HDDM_W_PARAM_DOCS } from './hddm-w.ts';
import { KnnDistance, KNN_DISTANCE_DEFAULTS, KNN_DISTANCE_PARAM_DOCS } from './knn-distance.ts';
import { Kswin, KSWIN_DEFAULTS, KSWIN_PARAM_DOCS } from './kswin.ts';
import { PageHinkley, PAGE_HINKLEY_DEFAULTS, PAGE_HINKLEY_PARAM_DOCS } from './page-hinkley.ts';
import {
  PredictionDistribution,
  PREDICTION_DISTRIBUTION_DEFAULTS,
  PREDICTION_DISTRIBUTION_PARAM_DOCS,
} from './prediction-distribution.ts';
import type { DetectorName, DetectorParams, DetectorState, ParamValue } from './types.ts';

export type {
  DetectorName,
  DetectorParams,
  DetectorResult,
  DetectorState,
  JsonValue,
  ParamValue,
  StreamDetector,
} from './types.ts';
export { Adwin, Ddm, Eddm, EwmaConfidence, HddmA, HddmW, KnnDistance, Kswin, PageHinkley, PredictionDistribution };
export { Xoshiro128, gaussian } from '../../random/prng.ts';

export interface DetectorByName {
  'page-hinkley': PageHinkley;
  adwin: Adwin;
  kswin: Kswin;
  ddm: Ddm;
  eddm: Eddm;
  'hddm-a': HddmA;
  'hddm-w': HddmW;
  'ewma-confidence': EwmaConfidence;
  'prediction-distribution': PredictionDistribution;
  'knn-distance': KnnDistance;
}

export type AnyDetector = DetectorByName[DetectorName];

interface Entry {
  readonly defaults: Readonly<DetectorParams>;
  readonly docs: Readonly<Record<string, string>>;
  /** What the detector consumes per update, for listings. */
  readonly input: string;
  create(params: Record<string, unknown>): AnyDetector;
  restore(state: DetectorState): AnyDetector;
}

// Each constructor rejects unknown parameters itself (resolveParams), so the registry only routes.
const REGISTRY: { readonly [N in DetectorName]: Entry } = {
  'page-hinkley': {
    defaults: { ...PAGE_HINKLEY_DEFAULTS },
    docs: PAGE_HINKLEY_PARAM_DOCS,
    input: 'number',
    create: (p) => new PageHinkley(p),
    restore: (s) => PageHinkley.fromJSON(s),
  },
  adwin: {
    defaults: { ...ADWIN_DEFAULTS },
    docs: ADWIN_PARAM_DOCS,
    input: 'number',
    create: (p) => new Adwin(p),
    restore: (s) => Adwin.fromJSON(s),
  },
  kswin: {
    defaults: { ...KSWIN_DEFAULTS },
    docs: KSWIN_PARAM_DOCS,
    input: 'number',
    create: (p) => new Kswin(p),
    restore: (s) => Kswin.fromJSON(s),
  },
  ddm: {
    defaults: { ...DDM_DEFAULTS },
    docs: DDM_PARAM_DOCS,
    input: 'error flag (1 = error, 0 = correct)',
    create: (p) => new Ddm(p),
    restore: (s) => Ddm.fromJSON(s),
  },
  eddm: {
    defaults: { ...EDDM_DEFAULTS },
    docs: EDDM_PARAM_DOCS,
    input: 'error flag (1 = error, 0 = correct)',
    create: (p) => new Eddm(p),
    restore: (s) => Eddm.fromJSON(s),
  },
  'hddm-a': {
    defaults: { ...HDDM_A_DEFAULTS },
    docs: HDDM_A_PARAM_DOCS,
    input: 'error flag (1 = error, 0 = correct)',
    create: (p) => new HddmA(p),
    restore: (s) => HddmA.fromJSON(s),
  },
  'hddm-w': {
    defaults: { ...HDDM_W_DEFAULTS },
    docs: HDDM_W_PARAM_DOCS,
    input: 'error flag (1 = error, 0 = correct)',
    create: (p) => new HddmW(p),
    restore: (s) => HddmW.fromJSON(s),
  },
  'ewma-confidence': {
    defaults: { ...EWMA_CONFIDENCE_DEFAULTS },
    docs: EWMA_CONFIDENCE_PARAM_DOCS,
    input: 'confidence of the top class (0..1)',
    create: (p) => new EwmaConfidence(p),
    restore: (s) => EwmaConfidence.fromJSON(s),
  },
  'prediction-distribution': {
    defaults: { ...PREDICTION_DISTRIBUTION_DEFAULTS },
    docs: PREDICTION_DISTRIBUTION_PARAM_DOCS,
    input: 'predicted class index',
    create: (p) => new PredictionDistribution(p),
    restore: (s) => PredictionDistribution.fromJSON(s),
  },
  'knn-distance': {
    defaults: { ...KNN_DISTANCE_DEFAULTS },
    docs: KNN_DISTANCE_PARAM_DOCS,
    input: 'feature vector (ArrayLike<number>)',
    create: (p) => new KnnDistance(p),
    restore: (s) => KnnDistance.fromJSON(s),
  },
};

export const DETECTOR_NAMES = Object.freeze(Object.keys(REGISTRY) as DetectorName[]);

/** Documented default parameters of every detector (River's defaults for River's detectors). */
export const DETECTOR_DEFAULTS: { readonly [N in DetectorName]: Readonly<DetectorParams> } = Object.freeze(
  Object.fromEntries(DETECTOR_NAMES.map((n) => [n, Object.freeze({ ...REGISTRY[n].defaults })])) as {
    [N in DetectorName]: Readonly<DetectorParams>;
  },
);

/** One-line description of each parameter, for `--help` style listings. */
export const DETECTOR_PARAM_DOCS: { readonly [N in DetectorName]: Readonly<Record<string, string>> } = Object.freeze(
  Object.fromEntries(DETECTOR_NAMES.map((n) => [n, REGISTRY[n].docs])) as {
    [N in DetectorName]: Readonly<Record<string, string>>;
  },
);

/** What each detector's update() consumes. */
export const DETECTOR_INPUTS: { readonly [N in DetectorName]: string } = Object.freeze(
  Object.fromEntries(DETECTOR_NAMES.map((n) => [n, REGISTRY[n].input])) as { [N in DetectorName]: string },
);

export function isDetectorName(name: string): name is DetectorName {
  return Object.hasOwn(REGISTRY, name);
}

function entry(name: string): Entry {
  if (!isDetectorName(name)) {
    throw new Error(`Unknown drift detector "${name}". Known detectors: ${DETECTOR_NAMES.join(', ')}`);
  }
  return REGISTRY[name];
}

/**
 * Creates a detector. Parameter values may be strings (as parsed from `--param key=value`); they
 * are converted to the type of the default. Unknown parameters throw an Error naming the
 * parameter and the allowed ones; out-of-range values throw too.
 */
export function createDetector<N extends DetectorName>(
  name: N,
  params?: Readonly<Record<string, ParamValue | undefined>>,
): DetectorByName[N];
export function createDetector(name: string, params?: Readonly<Record<string, ParamValue | undefined>>): AnyDetector;
export function createDetector(
  name: string,
  params: Readonly<Record<string, ParamValue | undefined>> = {},
): AnyDetector {
  return entry(name).create(params);
}

/** Rebuilds a detector from `toJSON()` output (also after JSON.stringify/parse). */
export function restoreDetector<N extends DetectorName>(state: DetectorState & { name: N }): DetectorByName[N];
export function restoreDetector(state: DetectorState): AnyDetector;
export function restoreDetector(state: DetectorState): AnyDetector {
  if (state === null || typeof state !== 'object') throw new Error('Detector state must be an object');
  return entry(state.name).restore(state);
}

/**
 * Parses CLI-style `key=value` pairs for a detector and validates them (unknown keys and bad
 * values throw); returns the complete parameter set with defaults filled in.
 */
export function parseDetectorParams(name: string, pairs: readonly string[]): DetectorParams {
  const given: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`Invalid detector parameter "${pair}": expected key=value`);
    given[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
  }
  return { ...entry(name).create(given).toJSON().params };
}
