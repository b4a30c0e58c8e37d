import { z } from 'zod';
import {
  DeviceDetailSchema,
  DeviceMetricsSchema,
  DeviceSchema,
  type DeviceDetail,
  type DeviceMetrics,
} from '../../../../shared/protocol/index.ts';
import { api } from '../../api.ts';
import type { HeatCell } from '../../charts/heatmap.ts';
import { bucketLabel } from '../../charts/series.ts';

/** Devices on one heat map at most (a row each); the rest are named in a note. */
export const MAX_ROWS = 40;

export interface DriftData {
  devices: { id: string; name: string; metrics: DeviceMetrics; detail: DeviceDetail }[];
  skipped: number;
}

export async function loadDrift(groupId: string, hours: number, signal?: AbortSignal): Promise<DriftData> {
  const all = (await api.v1('/devices', z.array(DeviceSchema), { groupId: groupId || undefined }, signal)).filter(
    (d) => !d.revokedAt,
  );
  const shown = all.slice(0, MAX_ROWS);
  const from = new Date(Date.now() - hours * 3_600_000).toISOString();
  const bucket = hours > 48 ? 'day' : 'hour';
  const devices = await Promise.all(
    shown.map(async (d) => {
      const [metrics, detail] = await Promise.all([
        api.v1(`/devices/${d.id}/metrics`, DeviceMetricsSchema, { bucket, from }, signal),
        api.v1(`/devices/${d.id}/detail`, DeviceDetailSchema, {}, signal),
      ]);
      return { id: d.id, name: d.name, metrics, detail };
    }),
  );
  return { devices, skipped: all.length - shown.length };
}

export function heatCells(data: DriftData): { xs: string[]; ys: string[]; cells: HeatCell[] } {
  const first = data.devices[0]?.metrics;
  const xs = first ? first.buckets.map((b) => bucketLabel(b.start, first.bucket)) : [];
  const ys = data.devices.map((d) => d.name);
  const cells = data.devices.flatMap((d) =>
    d.metrics.buckets.map(
      (b): HeatCell => ({
        x: bucketLabel(b.start, d.metrics.bucket),
        y: d.name,
        v: b.count ? b.driftAlarms / b.count : null,
        count: b.count,
        alarms: b.driftAlarms,
        warnings: b.driftWarnings,
      }),
    ),
  );
  return { xs, ys, cells };
}
