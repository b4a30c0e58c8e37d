import type { DataLoggerOptions } from '../lcm/index.ts';
import type { DeviceSettings } from './device-app.ts';

export const DEFAULT_SETTINGS: DeviceSettings = { syncIntervalSec: null, samplingRate: 1, retentionDays: 30 };

const DAY_MS = 86_400_000;

/** Checks a patch; throws a RangeError naming the bad field (the settings screen shows it). */
export function mergeSettings(current: DeviceSettings, patch: Partial<DeviceSettings>): DeviceSettings {
  const next = { ...current, ...patch };
  if (
    next.syncIntervalSec !== null &&
    !(Number.isFinite(next.syncIntervalSec) && next.syncIntervalSec >= 5 && next.syncIntervalSec <= 7 * 86_400)
  ) {
    throw new RangeError('sync interval: between 5 seconds and 7 days, or empty for the server’s');
  }
  if (!(Number.isFinite(next.samplingRate) && next.samplingRate >= 0 && next.samplingRate <= 1))
    throw new RangeError('sampling: a fraction between 0 and 1');
  if (!(Number.isFinite(next.retentionDays) && next.retentionDays > 0 && next.retentionDays <= 3650))
    throw new RangeError('retention: between 1 day and 10 years');
  return next;
}

/**
 * The logger's policies for the settings: a sampling rate r keeps one inference in round(1/r)
 * (0 keeps none but failures); retention deletes acknowledged records older than the limit.
 */
export function loggerPolicies(s: DeviceSettings): Required<Pick<DataLoggerOptions, 'sampling' | 'retention'>> {
  const everyNth = s.samplingRate <= 0 ? 0 : Math.max(1, Math.round(1 / s.samplingRate));
  return { sampling: { everyNth }, retention: { maxAgeMs: s.retentionDays * DAY_MS } };
}
