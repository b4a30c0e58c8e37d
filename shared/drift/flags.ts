/** What a device's drift monitors watch; one flag bit each. */
export type DriftKind = 'feature' | 'confidence' | 'prediction' | 'knn';

/**
 * Shared by device and server. Bitmask DeviceDrift.update() returns and the logger stores per record: a drift bit per kind,
 * and the same bit shifted by WARNING_SHIFT for a warning. 0 = nothing to report.
 */
export const DRIFT_FLAGS: Readonly<Record<DriftKind, number>> = Object.freeze({ feature: 1, confidence: 2, prediction: 4, knn: 8 });
export const WARNING_SHIFT = 4;
/** All drift bits (no warnings). */
export const DRIFT_MASK = 0b1111;
/** All warning bits. */
export const WARNING_MASK = DRIFT_MASK << WARNING_SHIFT;

/** The kinds whose drift (not warning) bit is set in `flags`. */
export function driftKinds(flags: number): DriftKind[] {
  return (Object.keys(DRIFT_FLAGS) as DriftKind[]).filter((k) => (flags & DRIFT_FLAGS[k]) !== 0);
}
