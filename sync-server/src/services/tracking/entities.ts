/**
 * Rows as the pg driver returns them (bigint as string, double as number) and their MLflow JSON:
 * MLflow's server writes int64 fields as JSON numbers and non-finite doubles as "NaN"/"Infinity".
 */

export const RUN_STATUSES = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const VIEW_TYPES = ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'] as const;
export type ViewType = (typeof VIEW_TYPES)[number];

/** Lifecycle stages a view type shows. */
export function stagesOf(view: ViewType): string[] {
  return view === 'ALL' ? ['active', 'deleted'] : view === 'DELETED_ONLY' ? ['deleted'] : ['active'];
}

/** The run-name tag MLflow keeps equal to the run's name. */
export const RUN_NAME_TAG = 'mlflow.runName';

export interface KeyValue {
  key: string;
  value: string;
}

export interface ExperimentRow {
  experiment_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: string;
  creation_time: string;
  last_update_time: string;
}

export interface RunRow {
  run_id: string;
  experiment_id: string;
  run_name: string;
  user_id: string;
  status: RunStatus;
  start_time: string;
  end_time: string | null;
  artifact_uri: string;
  lifecycle_stage: string;
}

export interface MetricRow {
  key: string;
  value: number;
  timestamp: string;
  step: string;
}

export const EXPERIMENT_COLUMNS =
  'e.experiment_id, e.name, e.artifact_location, e.lifecycle_stage, e.creation_time, e.last_update_time';
export const RUN_COLUMNS =
  'r.run_id, r.experiment_id, r.run_name, r.user_id, r.status, r.start_time, r.end_time, r.artifact_uri, r.lifecycle_stage';

export function experimentJson(row: ExperimentRow, tags: KeyValue[]) {
  return {
    experiment_id: String(row.experiment_id),
    name: row.name,
    artifact_location: row.artifact_location,
    lifecycle_stage: row.lifecycle_stage,
    last_update_time: Number(row.last_update_time),
    creation_time: Number(row.creation_time),
    tags,
  };
}
export type ExperimentJson = ReturnType<typeof experimentJson>;

export function runInfoJson(row: RunRow) {
  return {
    run_id: row.run_id,
    // Deprecated in MLflow but still read by older clients.
    run_uuid: row.run_id,
    run_name: row.run_name,
    experiment_id: String(row.experiment_id),
    user_id: row.user_id,
    status: row.status,
    start_time: Number(row.start_time),
    ...(row.end_time === null ? {} : { end_time: Number(row.end_time) }),
    artifact_uri: row.artifact_uri,
    lifecycle_stage: row.lifecycle_stage,
  };
}
export type RunInfoJson = ReturnType<typeof runInfoJson>;

/** A double as protobuf's JSON mapping writes it: NaN and the infinities as strings. */
export function doubleJson(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}

export function metricJson(row: MetricRow) {
  return { key: row.key, value: doubleJson(row.value), timestamp: Number(row.timestamp), step: Number(row.step) };
}
export type MetricJson = ReturnType<typeof metricJson>;

export interface RunJson {
  info: RunInfoJson;
  data: { metrics: MetricJson[]; params: KeyValue[]; tags: KeyValue[] };
}
