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

/** A record's class for the histogram: its label, else its class index. */
export const classOf = (r: IngestRecord): string | null => r.output.label ?? (r.output.classIndex !== undefined ? String(r.output.classIndex) : null);

/**
 * Rolls a batch up per (model, version, hour), sorted by key: each statement's upserts then lock
 * rows in the same order, so concurrent batches of one device cannot deadlock.
 */
export function hourly(records: readonly IngestRecord[]): HourlyRow[] {
  const groups = new Map<string, HourlyRow>();
  for (const r of records) {
    const hour = Math.floor(r.ts / HOUR_MS) * HOUR_MS;
    const key = JSON.stringify([r.model.name, r.model.version, hour]);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { modelName: r.model.name, modelVersion: r.model.version, hour, count: 0, latencySum: 0, confidenceSum: 0, driftAlarms: 0, driftWarnings: 0, classes: {} }));
    g.count += 1;
    g.latencySum += r.latencyMs;
    g.confidenceSum += r.confidence ?? 0;
    if (isAlarm(r.drift)) g.driftAlarms += 1;
    if (isWarning(r.drift)) g.driftWarnings += 1;
    const c = classOf(r);
    if (c !== null) g.classes[c] = (g.classes[c] ?? 0) + 1;
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
}
