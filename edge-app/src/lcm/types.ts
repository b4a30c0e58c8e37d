import type { DriftKind } from '../../../shared/drift/flags.ts';

/**
 * Types shared by the parts of the TinyLCM library (runtime, model store, monitor, drift, logger).
 * Plain data only: everything here crosses the worker boundary (structured clone) and IndexedDB.
 */
import type { OnnxMetadata } from '../../../shared/onnx/reader.ts';
import type { VersionMetadata } from '../../../shared/protocol/registry.ts';

export type TensorType =
  | 'float32'
  | 'float64'
  | 'float16'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'bool'
  | 'string';

export type TensorArray =
  | Float32Array
  | Float64Array
  | Uint16Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | string[];

/** A tensor as data: what `infer` takes and returns. `data.length` = product of `dims`. */
export interface TensorData {
  type: TensorType;
  dims: number[];
  data: TensorArray;
}

export type Feeds = Record<string, TensorData>;
export type Outputs = Record<string, TensorData>;

/** Identifies one model version on the device. */
export interface ModelRef {
  name: string;
  version: number;
  sha256: string;
}

/** What the device keeps about a stored model version (its bytes are stored separately). */
export interface StoredModel extends ModelRef {
  size: number;
  /** From the registry (class labels, preprocessing, input schema, reference profile). */
  metadata: VersionMetadata;
  /** Read from the ONNX file itself. */
  onnx: OnnxMetadata;
  storedAt: number;
  /** 'registry' or 'file' (imported on a device that never sees a server). */
  origin: 'registry' | 'file';
}

/**
 * One inference as the monitor, the drift detectors and the logger see it. Produced once per
 * inference by the runtime path; summary fields are filled when the model is a classifier.
 */
export interface InferenceObservation {
  /** Unique per device (e.g. `${sessionId}-${counter}`), used by the logger and drift events. */
  id: string;
  /** Epoch milliseconds when the inference finished. */
  ts: number;
  model: ModelRef;
  latencyMs: number;
  /** Tabular features after preprocessing, in the model's feature order (when tabular). */
  features?: number[];
  /** Per-class probabilities of the first row (classifiers). */
  probabilities?: number[];
  classIndex?: number;
  label?: string;
  /** Top-1 probability, top-1 minus top-2, and entropy (nats) of `probabilities`. */
  confidence?: number;
  margin?: number;
  entropy?: number;
  /** Batch size of the inference. */
  batch: number;
  error?: string;
}

/**
 * Which version of a model the device runs: one record per model name, switched in a single
 * transaction by the model store so a crash mid-switch leaves the old version active.
 */
export interface ActiveModelRecord {
  name: string;
  version: number;
  /** The version active before this one, kept (and protected from collection) for one-step rollback. */
  previous?: number;
  /** Epoch milliseconds of the switch. */
  activatedAt: number;
  /** Set by a rollback: the version rolled back from (no longer protected, so it can be removed). */
  rolledBackFrom?: number;
}

// ---- Monitor, drift and logger: what they report (plain JSON, crosses the worker boundary) ----

/** Running summary of one per-inference quantity (confidence, margin, entropy). */
export interface ValueSummary {
  count: number;
  mean: number | null;
  std: number | null;
  min: number | null;
  max: number | null;
  /** Equal-width bins over [lo, hi]; values outside fall in the edge bins. */
  histogram: { lo: number; hi: number; counts: number[] };
}

/** Latency quantiles (ms): each within `relativeAccuracy` of the exact value (see monitor/sketch.ts). */
export interface LatencySummary {
  count: number;
  mean: number | null;
  min: number | null;
  max: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  relativeAccuracy: number;
  /** Over the last recentWindow..2·recentWindow successful inferences. */
  recent: { count: number; p50: number | null; p95: number | null; p99: number | null };
}

/** What the platform tells about resources; every field is optional (feature-detected). */
export interface ResourceSample {
  /** Epoch ms of the sample. */
  ts: number;
  jsHeapUsedBytes?: number;
  jsHeapLimitBytes?: number;
  /** measureUserAgentSpecificMemory() in a cross-origin isolated browser; RSS in Node. */
  memoryBytes?: number;
  storageUsageBytes?: number;
  storageQuotaBytes?: number;
  batteryLevel?: number;
  charging?: boolean;
  network?: { online?: boolean; effectiveType?: string; downlinkMbps?: number; rttMs?: number; saveData?: boolean };
}

export type MonitorAlertKind = 'p95-latency' | 'low-confidence-rate' | 'error-rate';

/** Emitted once when a threshold is crossed upwards ('raised') and once when it clears. */
export interface MonitorAlert {
  kind: MonitorAlertKind;
  state: 'raised' | 'cleared';
  ts: number;
  model: ModelRef;
  value: number;
  threshold: number;
}

/** InferenceMonitor.snapshot(): for the UI and for the device's `reported` metrics. */
export interface MonitorSnapshot {
  model: ModelRef;
  /** Epoch ms of the first observed inference (null before any). */
  since: number | null;
  /** Epoch ms the snapshot was taken. */
  ts: number;
  lastInferenceTs: number | null;
  inferences: number;
  errors: number;
  latencyMs: LatencySummary;
  throughputPerSec: number;
  confidence: ValueSummary;
  margin: ValueSummary;
  /** Histogram over [0, ln K] nats once K is known. */
  entropy: ValueSummary;
  /** Predicted class counts by class index, with the label first seen for each. */
  classes: { counts: number[]; labels: (string | null)[] };
  recent: {
    lowConfidenceBelow: number;
    lowConfidenceRate: number;
    lowConfidenceWindow: number;
    errorRate: number;
    errorWindow: number;
  };
  resources: ResourceSample | null;
  activeAlerts: MonitorAlertKind[];
}

/** Which on-device drift monitor raised an event. */
export type { DriftKind };

/** A recent observation attached to a drift event (a compact copy). */
export interface DriftSample {
  id: string;
  ts: number;
  latencyMs: number;
  features?: number[];
  classIndex?: number;
  label?: string;
  confidence?: number;
}

export interface DriftEvent {
  /** `${observation id}/${channel}`: unique per device. */
  id: string;
  ts: number;
  model: ModelRef;
  kind: DriftKind;
  /** Channel key: `feature:<name>`, `confidence`, `prediction` or `knn`. */
  channel: string;
  /** Detector name from shared/drift/detectors ('page-hinkley', 'ewma-confidence', …). */
  detector: string;
  feature?: string;
  /** The detector's statistic at the alarm (see shared/drift/detectors/README.md). */
  statistic: number;
  /** The detector's statistic over the observations leading to the alarm, oldest first. */
  window: { size: number; firstId: string; lastId: string; statistics: number[] };
  /** The last few observations, oldest first (the alarming one last). */
  samples: DriftSample[];
}

/**
 * One logged inference, as exported and uploaded. The logger stores records in segments (columnar
 * rows, see logger/segment.ts); sync state belongs to the segment: unsent → markSent (batchId) →
 * acknowledge (acked).
 */
export interface InferenceRecord {
  id: string;
  ts: number;
  model: ModelRef;
  /** The model's input features, when the input policy keeps them. */
  input?: number[];
  /** A reference to the input kept elsewhere (e.g. an image's blob key), when given. */
  inputRef?: string;
  output: { classIndex?: number; label?: string; probabilities?: number[] };
  latencyMs: number;
  confidence?: number;
  margin?: number;
  entropy?: number;
  /** Drift flags raised by this inference (bitmask, see drift/flags.ts); 0 when none. */
  drift: number;
  error?: string;
  /** Key of the stored segment holding the record (what markSent takes). */
  segment?: number;
  acked: boolean;
  batchId?: string;
  /** The server refused the record's batch for good; it was set aside (DataLogger.setAsideBatches). */
  setAside?: boolean;
}
