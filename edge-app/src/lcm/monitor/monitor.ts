import type {
  InferenceObservation,
  LatencySummary,
  ModelRef,
  MonitorAlert,
  MonitorAlertKind,
  MonitorSnapshot,
  ResourceSample,
} from '../types.ts';
import { AlertTrip, DEFAULT_ALERT_WINDOW, DEFAULT_HYSTERESIS, type AlertThresholds } from './alerts.ts';
import { defaultResourceProbe, type ResourceProbe } from './resources.ts';
import { PerSecondRate, RateWindow, SeriesRing } from './rolling.ts';
import { callSafely } from './report-error.ts';
import { QuantileSketch, type SketchOptions } from './sketch.ts';
import { ValueStats } from './value-stats.ts';

export interface InferenceMonitorOptions {
  model: ModelRef;
  /** Quantile sketch accuracy and range (ms); default α = 1 %, 1 µs..1000 s. */
  sketch?: SketchOptions;
  /** Recent p50/p95/p99 cover the last `recentWindow`..2·`recentWindow` inferences. Default 1000. */
  recentWindow?: number;
  /** Latencies kept for charts. Default 512. */
  ringSize?: number;
  /** Throughput is averaged over this many complete seconds. Default 10. */
  throughputWindowSec?: number;
  /** Confidence below this counts as low for the low-confidence rate. Default 0.5. */
  lowConfidenceBelow?: number;
  alerts?: AlertThresholds;
  onAlert?: (alert: MonitorAlert) => void;
  /** Resource probe; default the platform's. `null` turns resource sampling off. */
  resourceProbe?: ResourceProbe | null;
  /** Minimum time between two resource samples triggered by inferences. Default 5000 ms. */
  resourceEveryMs?: number;
}

const P95_CHECK_EVERY = 32; // the recent p95 walks ~2k counters: check it every few samples, not each one

/** Per-model-version inference statistics, fed once per inference; `snapshot()` is plain JSON. */
export class InferenceMonitor {
  readonly model: ModelRef;
  private readonly total: QuantileSketch;
  // Two alternating sketches: "recent" = the current one plus the previous full one.
  private current: QuantileSketch;
  private previous: QuantileSketch;
  private readonly recentWindow: number;
  private readonly ring: SeriesRing;
  private readonly throughput: PerSecondRate;
  private readonly confidence = new ValueStats(0, 1);
  private readonly margin = new ValueStats(0, 1);
  private readonly entropy = new ValueStats(0, 1);
  private readonly classCounts: number[] = [];
  private readonly classLabels: (string | null)[] = [];
  // Not readonly: setAlerts() replaces them when the device's remote configuration changes.
  private lowConfBelow: number;
  private lowConf: RateWindow;
  private errorWindow: RateWindow;
  private trips: { p95?: AlertTrip; lowConf?: AlertTrip; errors?: AlertTrip } = {};
  private minSamples: number | undefined;
  private readonly onAlert: ((a: MonitorAlert) => void) | undefined;
  private readonly probe: ResourceProbe | null;
  private readonly resourceEveryMs: number;
  private resources: ResourceSample | null = null;
  private resourceAt = -Infinity;
  private probing: Promise<ResourceSample | null> | null = null;
  private inferences = 0;
  private errors = 0;
  private first: number | null = null;
  private last = 0;
  private sinceP95Check = 0;

  constructor(options: InferenceMonitorOptions) {
    this.model = options.model;
    this.total = new QuantileSketch(options.sketch);
    this.current = new QuantileSketch(options.sketch);
    this.previous = new QuantileSketch(options.sketch);
    this.recentWindow = positiveInt('recentWindow', options.recentWindow ?? 1000);
    this.ring = new SeriesRing(positiveInt('ringSize', options.ringSize ?? 512));
    this.throughput = new PerSecondRate(positiveInt('throughputWindowSec', options.throughputWindowSec ?? 10));
    this.lowConfidenceDefault = options.lowConfidenceBelow ?? 0.5;
    [this.lowConfBelow, this.lowConf, this.errorWindow] = [
      this.lowConfidenceDefault,
      new RateWindow(1),
      new RateWindow(1),
    ];
    this.setAlerts(options.alerts ?? {});
    this.onAlert = options.onAlert;
    this.probe = options.resourceProbe === undefined ? defaultResourceProbe() : options.resourceProbe;
    this.resourceEveryMs = options.resourceEveryMs ?? 5000;
  }

  private readonly lowConfidenceDefault: number;

  /**
   * Replaces the alert thresholds (the device's remote configuration changed). Everything is built
   * before anything is replaced, so bad thresholds throw and leave the old ones in force; the
   * alert windows start empty, as a raised alert under the old thresholds means nothing under new ones.
   */
  setAlerts(a: AlertThresholds): void {
    const h = a.hysteresis ?? DEFAULT_HYSTERESIS;
    const lowConf = new RateWindow(
      positiveInt('lowConfidence.window', a.lowConfidence?.window ?? DEFAULT_ALERT_WINDOW),
    );
    const errorWindow = new RateWindow(positiveInt('errorRate.window', a.errorRate?.window ?? DEFAULT_ALERT_WINDOW));
    const trips: InferenceMonitor['trips'] = {};
    if (a.p95LatencyMs !== undefined) trips.p95 = new AlertTrip('p95-latency', a.p95LatencyMs, h);
    if (a.lowConfidence) trips.lowConf = new AlertTrip('low-confidence-rate', a.lowConfidence.rate, h);
    if (a.errorRate) trips.errors = new AlertTrip('error-rate', a.errorRate.rate, h);
    if (a.minSamples !== undefined) positiveInt('minSamples', a.minSamples);
    this.lowConfBelow = a.lowConfidence?.below ?? this.lowConfidenceDefault;
    [this.lowConf, this.errorWindow, this.trips, this.minSamples] = [lowConf, errorWindow, trips, a.minSamples];
  }

  /** Current alert thresholds in force (for tests and the PWA). */
  alertThresholds(): { p95LatencyMs?: number; lowConfidenceRate?: number; errorRate?: number } {
    const t = this.trips;
    return {
      ...(t.p95 ? { p95LatencyMs: t.p95.threshold } : {}),
      ...(t.lowConf ? { lowConfidenceRate: t.lowConf.threshold } : {}),
      ...(t.errors ? { errorRate: t.errors.threshold } : {}),
    };
  }

  /** Records one inference. O(1), no allocation (except the first sight of a class index). */
  observe(obs: InferenceObservation): void {
    this.inferences += 1;
    if (this.first === null) this.first = obs.ts;
    this.last = obs.ts;
    this.throughput.add(obs.ts);
    const failed = obs.error !== undefined;
    this.errorWindow.push(failed);
    if (failed) {
      this.errors += 1;
    } else {
      this.recordLatency(obs.ts, obs.latencyMs);
      this.recordOutputs(obs);
    }
    this.checkRateAlerts(obs.ts);
    if (this.probe && obs.ts - this.resourceAt >= this.resourceEveryMs) void this.sampleResources();
  }

  /**
   * Samples the resource probe now (at most one probe in flight). Inferences trigger it every
   * `resourceEveryMs`; call it on a timer as well to keep the numbers fresh while idle.
   */
  sampleResources(): Promise<ResourceSample | null> {
    if (!this.probe) return Promise.resolve(null);
    if (this.probing) return this.probing;
    const ts = Date.now();
    this.resourceAt = ts;
    this.probing = this.probe().then(
      (r) => (this.resources = { ts, ...r }),
      // A failing probe leaves the last good sample in place; resources are best effort.
      () => this.resources,
    );
    void this.probing.finally(() => (this.probing = null));
    return this.probing;
  }

  /** Latencies of the last `ringSize` successful inferences, oldest first (for charts). */
  recentLatencies(): { ts: number[]; latencyMs: number[] } {
    const { ts, values } = this.ring.toArrays();
    return { ts, latencyMs: values };
  }

  snapshot(now = Date.now()): MonitorSnapshot {
    const active: MonitorAlertKind[] = [];
    for (const t of [this.trips.p95, this.trips.lowConf, this.trips.errors]) if (t?.raised) active.push(t.kind);
    return {
      model: { ...this.model },
      since: this.first,
      ts: now,
      lastInferenceTs: this.first === null ? null : this.last,
      inferences: this.inferences,
      errors: this.errors,
      latencyMs: this.latencySummary(),
      throughputPerSec: this.throughput.perSecond(now),
      confidence: this.confidence.summary(),
      margin: this.margin.summary(),
      entropy: this.entropy.summary(),
      classes: { counts: [...this.classCounts], labels: [...this.classLabels] },
      recent: {
        lowConfidenceBelow: this.lowConfBelow,
        lowConfidenceRate: this.lowConf.rate,
        lowConfidenceWindow: this.lowConf.filled,
        errorRate: this.errorWindow.rate,
        errorWindow: this.errorWindow.filled,
      },
      resources: this.resources ? { ...this.resources } : null,
      activeAlerts: active,
    };
  }

  private recordLatency(ts: number, ms: number): void {
    this.total.add(ms);
    if (this.current.count >= this.recentWindow) {
      const old = this.previous;
      this.previous = this.current;
      old.clear();
      this.current = old;
    }
    this.current.add(ms);
    this.ring.push(ts, ms);
    const trip = this.trips.p95;
    if (trip && ++this.sinceP95Check >= P95_CHECK_EVERY) {
      this.sinceP95Check = 0;
      if (this.current.count + this.previous.count >= (this.minSamples ?? 50)) {
        this.emit(trip, trip.check(this.current.quantile(0.95, this.previous)), ts);
      }
    }
  }

  private recordOutputs(obs: InferenceObservation): void {
    const c = obs.confidence;
    if (c !== undefined) {
      this.confidence.add(c);
      this.lowConf.push(c < this.lowConfBelow);
    }
    if (obs.margin !== undefined) this.margin.add(obs.margin);
    if (obs.entropy !== undefined) {
      // Entropy lives in [0, ln K]; K is known from the first probability vector.
      if (this.entropy.count === 0 && obs.probabilities && obs.probabilities.length > 1)
        this.entropy.setUpper(Math.log(obs.probabilities.length));
      this.entropy.add(obs.entropy);
    }
    const k = obs.classIndex;
    if (k !== undefined && k >= 0 && Number.isInteger(k)) {
      while (this.classCounts.length <= k) {
        this.classCounts.push(0);
        this.classLabels.push(null);
      }
      this.classCounts[k] = (this.classCounts[k] as number) + 1;
      if (this.classLabels[k] === null && obs.label !== undefined) this.classLabels[k] = obs.label;
    }
  }

  private checkRateAlerts(ts: number): void {
    const { lowConf, errors } = this.trips;
    if (lowConf && this.lowConf.filled >= (this.minSamples ?? this.lowConf.size))
      this.emit(lowConf, lowConf.check(this.lowConf.rate), ts);
    if (errors && this.errorWindow.filled >= (this.minSamples ?? this.errorWindow.size))
      this.emit(errors, errors.check(this.errorWindow.rate), ts);
  }

  private emit(trip: AlertTrip, state: 'raised' | 'cleared' | null, ts: number): void {
    if (state === null || !this.onAlert) return;
    const value =
      trip.kind === 'p95-latency'
        ? this.current.quantile(0.95, this.previous)
        : trip.kind === 'error-rate'
          ? this.errorWindow.rate
          : this.lowConf.rate;
    callSafely(this.onAlert, {
      kind: trip.kind,
      state,
      ts,
      model: { ...this.model },
      value,
      threshold: trip.threshold,
    });
  }

  private latencySummary(): LatencySummary {
    const t = this.total;
    const num = (x: number): number | null => (Number.isFinite(x) ? x : null);
    return {
      count: t.count,
      mean: t.count ? t.sum / t.count : null,
      min: num(t.min),
      max: num(t.max),
      p50: num(t.quantile(0.5)),
      p95: num(t.quantile(0.95)),
      p99: num(t.quantile(0.99)),
      relativeAccuracy: t.relativeAccuracy,
      recent: {
        count: this.current.count + this.previous.count,
        p50: num(this.current.quantile(0.5, this.previous)),
        p95: num(this.current.quantile(0.95, this.previous)),
        p99: num(this.current.quantile(0.99, this.previous)),
      },
    };
  }
}

function positiveInt(name: string, v: number): number {
  if (!(Number.isInteger(v) && v > 0))
    throw new RangeError(`InferenceMonitor: ${name} must be a positive integer, got ${v}`);
  return v;
}
