import type { InferenceObservation, InferenceRecord, ModelRef } from '../types.ts';

export interface RecordPolicy {
  /** Keep the input features ('features', the default) or leave them out ('none'). */
  input?: 'features' | 'none';
  /** Keep the class probabilities (default true). */
  probabilities?: boolean;
}

/**
 * How records are stored: a segment of consecutive records of one model, column by column in
 * typed arrays, one IndexedDB row per flush. Chromium pays ~0.3 ms of IPC per IndexedDB request,
 * so a row per record tops out near 3k records/s; a columnar row is one request and its typed
 * arrays structured-clone as plain memory copies. Sync state (batch, acknowledgement) is per segment.
 */
export interface LogSegment {
  /** The store's auto-incremented key (insertion order); absent until stored. */
  key?: number;
  model: ModelRef;
  count: number;
  firstTs: number;
  lastTs: number;
  ids: string[];
  ts: Float64Array;
  latencyMs: Float64Array;
  /** NaN where the inference reported none. */
  confidence: Float64Array;
  margin: Float64Array;
  entropy: Float64Array;
  /** -1 where none. */
  classIndex: Int32Array;
  drift: Int32Array;
  /** Per row: bit 0 = has input, bit 1 = has probabilities. */
  present: Uint8Array;
  /** Class labels by class index, as the inferences reported them. */
  labels: (string | null)[];
  inputDim: number;
  /** count × inputDim, row-major (rows without input hold arbitrary values; see `present`). */
  input: Float64Array | null;
  probsDim: number;
  probabilities: Float64Array | null;
  /** Sparse [row, value] pairs. */
  errors: [number, string][];
  inputRefs: [number, string][];
  /** Approximate stored size (for byte-based retention). */
  bytes: number;
  acked: boolean;
  batchId?: string;
  /** The server refused the segment's batch for good (uploader: 400/413/422): kept, exported, never resent. */
  setAside?: 1;
  /** Sparse-index markers: `unsent` = 1 until the segment joins a batch; `ackedKey` = key once acknowledged. */
  unsent?: 1;
  ackedKey?: number;
}

const HAS_INPUT = 1;
const HAS_PROBS = 2;

type Columns = Pick<
  LogSegment,
  | 'ts'
  | 'latencyMs'
  | 'confidence'
  | 'margin'
  | 'entropy'
  | 'classIndex'
  | 'drift'
  | 'present'
  | 'input'
  | 'probabilities'
>;

/**
 * Fills one segment's columns as records are kept. The columns are allocated once and reused for
 * the next segment (see DataLogger's pool): fresh typed-array memory costs tens of µs per array in
 * Chromium (page faults on first touch), which per segment would be felt per inference.
 */
export class SegmentBuilder {
  count = 0;
  /** After build(): whether the segment shares this builder's columns (so reuse must wait until it is stored). */
  shared = false;
  private readonly c: Columns;
  private model: ModelRef | null = null;
  private firstTs = Infinity;
  private lastTs = -Infinity;
  private ids: string[] = [];
  private labels: (string | null)[] = [];
  private errors: [number, string][] = [];
  private inputRefs: [number, string][] = [];

  constructor(
    readonly capacity: number,
    readonly inputDim: number,
    readonly probsDim: number,
  ) {
    this.c = {
      ts: new Float64Array(capacity),
      latencyMs: new Float64Array(capacity),
      confidence: new Float64Array(capacity),
      margin: new Float64Array(capacity),
      entropy: new Float64Array(capacity),
      classIndex: new Int32Array(capacity),
      drift: new Int32Array(capacity),
      present: new Uint8Array(capacity),
      input: inputDim > 0 ? new Float64Array(capacity * inputDim) : null,
      probabilities: probsDim > 0 ? new Float64Array(capacity * probsDim) : null,
    };
  }

  /** Starts an empty segment for `model`. */
  start(model: ModelRef): this {
    this.model = model;
    this.count = 0;
    this.shared = false;
    this.firstTs = Infinity;
    this.lastTs = -Infinity;
    this.ids = [];
    this.labels = [];
    this.errors = [];
    this.inputRefs = [];
    return this;
  }

  /** Whether `obs` can join this segment (same model and vector sizes, room left). */
  fits(obs: InferenceObservation, policy: RecordPolicy): boolean {
    const m = this.model as ModelRef;
    if (this.count >= this.capacity || (obs.model !== m && !sameModel(obs.model, m))) return false;
    const x = policy.input !== 'none' ? obs.features : undefined;
    const p = policy.probabilities !== false ? obs.probabilities : undefined;
    return (!x || x.length === this.inputDim) && (!p || p.length === this.probsDim);
  }

  add(obs: InferenceObservation, drift: number, inputRef: string | undefined, policy: RecordPolicy): void {
    const c = this.c;
    const i = this.count++;
    this.ids.push(obs.id);
    c.ts[i] = obs.ts;
    if (obs.ts < this.firstTs) this.firstTs = obs.ts;
    if (obs.ts > this.lastTs) this.lastTs = obs.ts;
    c.latencyMs[i] = obs.latencyMs;
    c.confidence[i] = obs.confidence ?? NaN;
    c.margin[i] = obs.margin ?? NaN;
    c.entropy[i] = obs.entropy ?? NaN;
    const k = obs.classIndex ?? -1;
    c.classIndex[i] = k;
    if (k >= 0 && obs.label !== undefined && this.labels[k] == null) {
      while (this.labels.length < k) this.labels.push(null);
      this.labels[k] = obs.label;
    }
    c.drift[i] = drift;
    let present = 0;
    const x = policy.input !== 'none' ? obs.features : undefined;
    // Element loops, not TypedArray.set: Chromium's set() from a plain array costs ~0.3 µs a call.
    if (x && c.input) {
      const a = c.input;
      for (let j = 0, o = i * this.inputDim; j < x.length; j++) a[o + j] = x[j] as number;
      present |= HAS_INPUT;
    }
    const p = policy.probabilities !== false ? obs.probabilities : undefined;
    if (p && c.probabilities) {
      const a = c.probabilities;
      for (let j = 0, o = i * this.probsDim; j < p.length; j++) a[o + j] = p[j] as number;
      present |= HAS_PROBS;
    }
    c.present[i] = present;
    if (obs.error !== undefined) this.errors.push([i, obs.error]);
    if (inputRef !== undefined) this.inputRefs.push([i, inputRef]);
  }

  /**
   * The finished segment. A full one shares the columns (`shared`); a partial one gets copies of
   * the used part, because a view would still clone its whole buffer into IndexedDB.
   */
  build(): LogSegment {
    const c = this.c;
    const n = this.count;
    const full = n === this.capacity;
    this.shared = full;
    const cut = <T extends Float64Array | Int32Array | Uint8Array>(a: T, per = 1): T =>
      full ? a : (a.slice(0, n * per) as T);
    const model = this.model as ModelRef;
    let chars = model.name.length + model.sha256.length;
    for (const id of this.ids) chars += id.length;
    for (const l of this.labels) chars += l?.length ?? 0;
    for (const [, e] of this.errors) chars += e.length + 8;
    for (const [, r] of this.inputRefs) chars += r.length + 8;
    return {
      model,
      count: n,
      firstTs: this.firstTs,
      lastTs: this.lastTs,
      ids: this.ids,
      ts: cut(c.ts),
      latencyMs: cut(c.latencyMs),
      confidence: cut(c.confidence),
      margin: cut(c.margin),
      entropy: cut(c.entropy),
      classIndex: cut(c.classIndex),
      drift: cut(c.drift),
      present: cut(c.present),
      labels: this.labels,
      inputDim: this.inputDim,
      input: c.input ? cut(c.input, this.inputDim) : null,
      probsDim: this.probsDim,
      probabilities: c.probabilities ? cut(c.probabilities, this.probsDim) : null,
      errors: this.errors,
      inputRefs: this.inputRefs,
      bytes: 256 + chars + n * (8 * 5 + 4 * 2 + 1 + 8 * (this.inputDim + this.probsDim)),
      acked: false,
      unsent: 1,
    };
  }
}

function sameModel(a: ModelRef, b: ModelRef): boolean {
  return a.name === b.name && a.version === b.version && a.sha256 === b.sha256;
}

/** The logical records of a stored segment, in stored order. */
export function segmentRecords(s: LogSegment): InferenceRecord[] {
  const errors = new Map(s.errors);
  const refs = new Map(s.inputRefs);
  const out: InferenceRecord[] = new Array(s.count);
  const num = (a: Float64Array, i: number): number | undefined => {
    const v = a[i] as number;
    return Number.isNaN(v) ? undefined : v;
  };
  for (let i = 0; i < s.count; i++) {
    const k = s.classIndex[i] as number;
    const present = s.present[i] as number;
    const output: InferenceRecord['output'] = {};
    if (k >= 0) {
      output.classIndex = k;
      const label = s.labels[k];
      if (label != null) output.label = label;
    }
    if (present & HAS_PROBS && s.probabilities)
      output.probabilities = Array.from(s.probabilities.subarray(i * s.probsDim, (i + 1) * s.probsDim));
    const r: InferenceRecord = {
      id: s.ids[i] as string,
      ts: s.ts[i] as number,
      model: { ...s.model },
      output,
      latencyMs: s.latencyMs[i] as number,
      drift: s.drift[i] as number,
      acked: s.acked,
    };
    if (s.key !== undefined) r.segment = s.key;
    if (present & HAS_INPUT && s.input) r.input = Array.from(s.input.subarray(i * s.inputDim, (i + 1) * s.inputDim));
    const ref = refs.get(i);
    if (ref !== undefined) r.inputRef = ref;
    const c = num(s.confidence, i);
    if (c !== undefined) r.confidence = c;
    const m = num(s.margin, i);
    if (m !== undefined) r.margin = m;
    const e = num(s.entropy, i);
    if (e !== undefined) r.entropy = e;
    const err = errors.get(i);
    if (err !== undefined) r.error = err;
    if (s.batchId !== undefined) r.batchId = s.batchId;
    if (s.setAside) r.setAside = true;
    out[i] = r;
  }
  return out;
}
