import { isAlarm, isWarning } from '../../../../shared/drift/flags.ts';
import type { IngestRecord } from '../../../../shared/ingest/index.ts';

const HOUR_MS = 3_600_000;

export interface HourlyRow {
  modelName: string;
  modelVersion: number;
  hour: number;
  count: number;
  latencySum: number;
  confidenceSum: number;
  /** Records with a drift (alarm) bit / with a warning bit in their flags; a record with both counts in both. */
  driftAlarms: number;
  driftWarnings: number;
  classes: Record<string, number>;
}

/** What ingest keeps of a record while a package streams in: the values of its row, nothing else. */
export interface StoredRecord {
  ts: number;
  modelName: string;
  modelVersion: number;
  latencyMs: number;
  confidence: number | null;
  /** Its class for the histogram: the label, else the class index. */
  cls: string | null;
  drift: number;
  /** `{1.5,2,3}` for a tabular input (the `features` real[] column), or null. */
  features: string | null;
}

/** Inputs kept per record for feature histograms: tabular ones only (images stay in the blob). */
export const MAX_STORED_FEATURES = 64;

/** A value real (float4) holds: PostgreSQL refuses one that overflows or underflows to zero. */
const fitsReal = (x: unknown): boolean => {
  if (typeof x !== 'number') return false;
  const f = Math.fround(x);
  return Number.isFinite(f) && (f !== 0 || x === 0);
};

export function toStoredRecord(r: IngestRecord): StoredRecord {
  const input = (r as { input?: unknown }).input;
  const features =
    Array.isArray(input) && input.length > 0 && input.length <= MAX_STORED_FEATURES && input.every(fitsReal)
      ? `{${input.join(',')}}`
      : null;
  return {
    ts: r.ts,
    modelName: r.model.name,
    modelVersion: r.model.version,
    latencyMs: r.latencyMs,
    confidence: r.confidence ?? null,
    cls: r.output.label ?? (r.output.classIndex !== undefined ? String(r.output.classIndex) : null),
    drift: r.drift,
    features,
  };
}

/**
 * Rolls a batch up per (model, version, hour), sorted by key: each statement's upserts then lock
 * rows in the same order, so concurrent batches of one device cannot deadlock.
 */
export function hourly(records: readonly StoredRecord[]): HourlyRow[] {
  const groups = new Map<string, HourlyRow>();
  for (const r of records) {
    const hour = Math.floor(r.ts / HOUR_MS) * HOUR_MS;
    const key = JSON.stringify([r.modelName, r.modelVersion, hour]);
    let g = groups.get(key);
    if (!g)
      groups.set(
        key,
        (g = {
          modelName: r.modelName,
          modelVersion: r.modelVersion,
          hour,
          count: 0,
          latencySum: 0,
          confidenceSum: 0,
          driftAlarms: 0,
          driftWarnings: 0,
          classes: {},
        }),
      );
    g.count += 1;
    g.latencySum += r.latencyMs;
    g.confidenceSum += r.confidence ?? 0;
    if (isAlarm(r.drift)) g.driftAlarms += 1;
    if (isWarning(r.drift)) g.driftWarnings += 1;
    if (r.cls !== null) g.classes[r.cls] = (g.classes[r.cls] ?? 0) + 1;
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
}
