import { z } from 'zod';

/**
 * A device's health as it reports it in `reported.health` with each exchange: what its platform
 * lets it measure. Every field is optional (a probe fills what its platform offers) and bounded, so a
 * report stays a few hundred bytes in the document and in the server's time series.
 */

const bytes = z
  .number()
  .int()
  .min(0)
  .max(2 ** 53 - 1);

/** PressureObserver's states (Compute Pressure API), Chromium only. */
export const CpuPressureSchema = z.enum(['nominal', 'fair', 'serious', 'critical']);
export type CpuPressure = z.infer<typeof CpuPressureSchema>;

export const DeviceHealthSchema = z
  .object({
    /** navigator.storage.estimate(): bytes the origin uses and may use. */
    storageUsedBytes: bytes.optional(),
    storageQuotaBytes: bytes.optional(),
    /** JS heap (Chromium's performance.memory; V8's heap in Node). */
    heapUsedBytes: bytes.optional(),
    heapLimitBytes: bytes.optional(),
    /** Battery level 0..1 and whether it charges (window contexts with the Battery API). */
    batteryLevel: z.number().min(0).max(1).optional(),
    charging: z.boolean().optional(),
    /** Network Information API: effective type ('4g', '3g', …), round-trip ms, downlink Mbit/s. */
    networkType: z.string().max(20).optional(),
    rttMs: z.number().min(0).max(600_000).optional(),
    downlinkMbps: z.number().min(0).max(100_000).optional(),
    cpuPressure: CpuPressureSchema.optional(),
    /** Seconds since the app (or simulated device) started. */
    uptimeSec: z
      .number()
      .int()
      .min(0)
      .max(10 * 365 * 86_400)
      .optional(),
    appVersion: z.string().max(100).optional(),
    /** Short browser name and version, e.g. 'Chrome 131' or 'node 20.20.0'. */
    browser: z.string().max(60).optional(),
    /** Log batches the server refused for good, set aside on the device (kept and exported, not resent); absent when none. */
    setAsideBatches: z.number().int().min(0).max(1_000_000_000).optional(),
    /** When the device measured this (its clock), ISO 8601. */
    measuredAt: z.iso.datetime({ offset: true }).optional(),
  })
  .meta({ id: 'DeviceHealth' });
export type DeviceHealth = z.infer<typeof DeviceHealthSchema>;

/** The share of the storage quota in use, 0..1, or null when either number is missing. */
export function storageShare(h: DeviceHealth | null | undefined): number | null {
  if (!h || h.storageUsedBytes === undefined || !h.storageQuotaBytes) return null;
  return h.storageUsedBytes / h.storageQuotaBytes;
}
