/**
 * Common contract of the streaming drift detectors.
 *
 * Detectors run once per inference inside the edge worker and again on the server when logs are
 * replayed, so this module is pure TypeScript: no DOM, no Node APIs.
 */

/**
 * Outcome of one `update`. Detectors return the *same* object on every call (it is owned by the
 * detector and overwritten by the next update) so the hot path does not allocate; copy the fields
 * if you need to keep them.
 */
export interface DetectorResult {
  drift: boolean;
  warning: boolean;
  /** Detector-specific monitored quantity; see README.md for what each detector reports. */
  statistic: number;
}

export interface StreamDetector<X = number> {
  readonly name: string; // one of DetectorName
  update(x: X): DetectorResult;
  reset(): void;
  toJSON(): DetectorState;
}

export type DetectorName =
  | 'page-hinkley'
  | 'adwin'
  | 'kswin'
  | 'ddm'
  | 'eddm'
  | 'hddm-a'
  | 'hddm-w'
  | 'ewma-confidence'
  | 'prediction-distribution'
  | 'knn-distance';

/** A parameter value as it travels through configuration documents and the CLI. */
export type ParamValue = number | string | boolean;

export type DetectorParams = Record<string, ParamValue>;

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Serialised detector: plain JSON, safe for JSON.stringify and Automerge documents. */
export interface DetectorState {
  name: string;
  version: 1;
  params: DetectorParams;
  state: { [key: string]: JsonValue };
}
