import { storageShare, type DeviceHealth } from '../../../shared/documents/health.ts';
import { ATTENTION, type AttentionDevice } from '../../../shared/protocol/device-health.ts';
import { formatBytes } from '../../../shared/format/bytes.ts';

/** How the console words a device's health; the thresholds are the server's (shared/protocol/device-health.ts). */

/** A share as a percentage: whole numbers, one decimal below 10 % (where it shows). */
export function pct(share: number | null | undefined): string {
  if (share === null || share === undefined) return '—';
  const p = share * 100;
  return `${p >= 9.95 || p === 0 ? Math.round(p) : p.toFixed(1)} %`;
}

export function storageText(h: DeviceHealth | null | undefined): string {
  const share = storageShare(h);
  return share === null ? '—' : `${pct(share)} of ${formatBytes(h!.storageQuotaBytes!)}`;
}

export function batteryText(h: DeviceHealth | null | undefined): string {
  if (h?.batteryLevel === undefined) return '—';
  return `${pct(h.batteryLevel)}${h.charging ? ' ⚡ charging' : ''}`;
}

export function networkText(h: DeviceHealth | null | undefined): string {
  if (!h || (h.networkType === undefined && h.rttMs === undefined)) return '—';
  return [h.networkType, h.rttMs === undefined ? undefined : `${Math.round(h.rttMs)} ms`].filter(Boolean).join(' · ');
}

export function heapText(h: DeviceHealth | null | undefined): string {
  if (h?.heapUsedBytes === undefined) return '—';
  return h.heapLimitBytes
    ? `${formatBytes(h.heapUsedBytes)} of ${formatBytes(h.heapLimitBytes)}`
    : formatBytes(h.heapUsedBytes);
}

/** The same rules as the server's attention list, for one health (the console colours cells with it). */
export const storageAlarm = (h: DeviceHealth | null | undefined): boolean =>
  (storageShare(h) ?? 0) > ATTENTION.storageShare;
export const batteryAlarm = (h: DeviceHealth | null | undefined): boolean =>
  h?.batteryLevel !== undefined && h.batteryLevel < ATTENTION.batteryLevel && h.charging !== true;

/** One attention reason in words, with the number behind it. */
export function reasonText(d: AttentionDevice, reason: AttentionDevice['reasons'][number]): string {
  if (reason === 'storage') return `storage ${pct(d.storageShare)} of quota`;
  if (reason === 'battery') return `battery ${pct(d.batteryLevel)}, not charging`;
  return d.lastSeenAt
    ? `not seen since ${new Date(d.lastSeenAt).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' })}`
    : 'never seen';
}
