/** What a device's drift monitors watch; one flag bit each. */
export type DriftKind = 'feature' | 'confidence' | 'prediction' | 'knn';

/**
 * Shared by device and server. Bitmask DeviceDrift.update() returns and the logger stores per record: a drift bit per kind,
 * and the same bit shifted by WARNING_SHIFT for a warning. 0 = nothing to report.
 */
export const DRIFT_FLAGS: Readonly<Record<DriftKind, number>> = Object.freeze({
  feature: 1,
  confidence: 2,
  prediction: 4,
  knn: 8,
});
export const WARNING_SHIFT = 4;
/** All drift bits (no warnings). */
export const DRIFT_MASK = 0b1111;
/** All warning bits. */
export const WARNING_MASK = DRIFT_MASK << WARNING_SHIFT;

/**
 * How every count of "drift alarms" and "drift warnings" (device metrics, hourly aggregates, fleet
 * summary, /metrics, console) reads a record's flags: a record is an alarm record when any drift bit
 * is set, a warning record when any warning bit is set. Each is one record however many detectors
 * fired on it, and a record with both (one detector alarmed, another warned) counts in both.
 */
export const isAlarm = (flags: number): boolean => (flags & DRIFT_MASK) !== 0;
export const isWarning = (flags: number): boolean => (flags & WARNING_MASK) !== 0;

/** The kinds whose drift (not warning) bit is set in `flags`. */
export function driftKinds(flags: number): DriftKind[] {
  return (Object.keys(DRIFT_FLAGS) as DriftKind[]).filter((k) => (flags & DRIFT_FLAGS[k]) !== 0);
}
