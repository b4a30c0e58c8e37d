import type {
  DeviceMetrics,
  FleetMetrics,
  FleetMetricsQuery,
  FleetSummary,
  MetricsQuery,
} from '../../../../shared/protocol/index.ts';
import type { Db } from '../../store/db/index.ts';
import { deviceMetrics } from './device-metrics.ts';
import { fleetSeries } from './fleet-metrics.ts';

/**
 * A device counts as online when its token was used within this many minutes. Authentication
 * refreshes last_seen_at at most once a minute, so the window must be well above that.
 */
export const ONLINE_WINDOW_MINUTES = 10;

export interface ModelVersionRecords {
  name: string;
  version: number;
  records: number;
  /** The registry holds this name and version; /metrics labels only these (devices may report anything). */
  registered: boolean;
}

/** The fleet's numbers with model versions kept apart, for both the JSON summary and the metrics. */
export interface FleetSnapshot {
  devices: number;
  online: number;
  records: number;
  driftAlarms: number;
  driftWarnings: number;
  models: ModelVersionRecords[];
}

export const toSummary = (s: FleetSnapshot): FleetSummary => ({
  devices: s.devices,
  online: s.online,
  records: s.records,
  byModelVersion: Object.fromEntries(s.models.map((m) => [`${m.name}@${m.version}`, m.records])),
  driftAlarms: s.driftAlarms,
  driftWarnings: s.driftWarnings,
});

/** Fleet-wide counts. Record counts come from the hourly rollups, which ingest keeps in step with the rows, so this never scans records. */
export class FleetService {
  constructor(private readonly db: Db) {}

  async snapshot(): Promise<FleetSnapshot> {
    // Sequential on purpose: PGlite has a single connection, parallel queries would only queue.
    const { rows: deviceRows } = await this.db.query<{ devices: string; online: string }>(
      `SELECT count(*) AS devices,
              count(*) FILTER (WHERE last_seen_at > now() - make_interval(mins => $1)) AS online
       FROM devices WHERE revoked_at IS NULL`,
      [ONLINE_WINDOW_MINUTES],
    );
    const { rows: modelRows } = await this.db.query<{
      model_name: string;
      model_version: number;
      records: string;
      drift_alarms: string;
      drift_warnings: string;
      registered: boolean;
    }>(
      `SELECT h.model_name, h.model_version, sum(h.count) AS records, sum(h.drift_alarms) AS drift_alarms, sum(h.drift_warnings) AS drift_warnings,
              EXISTS (SELECT 1 FROM model_versions mv JOIN registered_models rm ON rm.id = mv.model_id
                      WHERE rm.name = h.model_name AND mv.version = h.model_version) AS registered
       FROM inference_hourly h GROUP BY h.model_name, h.model_version ORDER BY h.model_name, h.model_version`,
    );
    const models = modelRows.map((r) => ({
      name: r.model_name,
      version: r.model_version,
      records: Number(r.records),
      registered: r.registered,
    }));
    return {
      devices: Number(deviceRows[0]?.devices ?? 0),
      online: Number(deviceRows[0]?.online ?? 0),
      records: models.reduce((n, m) => n + m.records, 0),
      driftAlarms: modelRows.reduce((n, r) => n + Number(r.drift_alarms), 0),
      driftWarnings: modelRows.reduce((n, r) => n + Number(r.drift_warnings), 0),
      models,
    };
  }

  async summary(): Promise<FleetSummary> {
    return toSummary(await this.snapshot());
  }

  /** One device's series from its records, with exact latency quantiles. */
  deviceMetrics(deviceId: string, query: MetricsQuery): Promise<DeviceMetrics> {
    return deviceMetrics(this.db, deviceId, query);
  }

  /** The fleet's (or a group's) series from the hourly rollups. */
  series(query: FleetMetricsQuery): Promise<FleetMetrics> {
    return fleetSeries(this.db, query);
  }
}
