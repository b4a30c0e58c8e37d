import { randomUUID } from 'node:crypto';
import { Invalid, NotFound } from '../errors.ts';
import type { Queryable } from '../../store/db/index.ts';
import {
  metricJson,
  RUN_COLUMNS,
  RUN_NAME_TAG,
  runInfoJson,
  type KeyValue,
  type MetricRow,
  type RunInfoJson,
  type RunJson,
  type RunRow,
  type RunStatus,
} from './entities.ts';
import { DEFAULT_EXPERIMENT_ID, type Experiments } from './experiments.ts';
import { randomRunName } from './names.ts';
import { checkTag } from './validation.ts';

export interface CreateRunInput {
  experiment_id?: string | undefined;
  user_id?: string | undefined;
  run_name?: string | undefined;
  start_time?: number | undefined;
  tags?: KeyValue[] | undefined;
}

export interface UpdateRunInput {
  run_id: string;
  status?: RunStatus | undefined;
  end_time?: number | undefined;
  run_name?: string | undefined;
}

type Empty = Record<string, never>;

/** Runs, their tags, and loading whole runs (info + latest metrics + params + tags). */
export class Runs {
  constructor(
    private readonly q: Queryable,
    private readonly experiments: Experiments,
  ) {}

  async create(input: CreateRunInput): Promise<{ run: RunJson }> {
    const experiment = await this.experiments.requireActive(input.experiment_id || DEFAULT_EXPERIMENT_ID);
    const tags = [...(input.tags ?? [])];
    for (const t of tags) checkTag(t.key, t.value);
    const tagName = tags.findLast((t) => t.key === RUN_NAME_TAG)?.value;
    if (input.run_name && tagName && input.run_name !== tagName) {
      throw new Invalid(
        `Both 'run_name' argument and '${RUN_NAME_TAG}' tag are specified, but with different values (run_name='${input.run_name}', ${RUN_NAME_TAG}='${tagName}').`,
      );
    }
    const runName = input.run_name || tagName || randomRunName();
    if (!tagName) tags.push({ key: RUN_NAME_TAG, value: runName });
    // Lower-case hex only: MLflow's IN filters on run ids rely on it.
    const runId = randomUUID().replaceAll('-', '');
    await this.q.query(
      `INSERT INTO mlflow_runs (run_id, experiment_id, run_name, user_id, status, start_time, artifact_uri)
       VALUES ($1, $2, $3, $4, 'RUNNING', $5, $6)`,
      [
        runId,
        experiment.experiment_id,
        runName,
        input.user_id ?? '',
        input.start_time ?? Date.now(),
        `${experiment.artifact_location}/${runId}/artifacts`,
      ],
    );
    await this.upsertTags(runId, tags);
    return { run: await this.get(runId) };
  }

  async row(runId: string): Promise<RunRow> {
    const { rows } = await this.q.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM mlflow_runs r WHERE r.run_id = $1`, [
      runId,
    ]);
    if (!rows[0]) throw new NotFound(`Run with id=${runId} not found`);
    return rows[0];
  }

  /** The run, which must not be deleted: MLflow refuses writes to deleted runs. */
  async requireActive(runId: string): Promise<RunRow> {
    const row = await this.row(runId);
    if (row.lifecycle_stage !== 'active')
      throw new Invalid(`The run ${runId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`);
    return row;
  }

  async get(runId: string): Promise<RunJson> {
    const [run] = await this.load([await this.row(runId)]);
    return run!;
  }

  /** Whole runs for rows, in the rows' order, with three queries whatever their number. */
  async load(rows: RunRow[]): Promise<RunJson[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.run_id);
    // One after another: on a transaction's single connection queries cannot overlap.
    const metrics = await this.q.query<MetricRow & { run_id: string }>(
      'SELECT run_id, key, value, timestamp, step FROM mlflow_latest_metrics WHERE run_id = ANY($1) ORDER BY key',
      [ids],
    );
    const params = await this.q.query<KeyValue & { run_id: string }>(
      'SELECT run_id, key, value FROM mlflow_params WHERE run_id = ANY($1) ORDER BY key',
      [ids],
    );
    const tags = await this.q.query<KeyValue & { run_id: string }>(
      'SELECT run_id, key, value FROM mlflow_tags WHERE run_id = ANY($1) ORDER BY key',
      [ids],
    );
    const of = <T extends { run_id: string }>(list: T[], id: string) => list.filter((x) => x.run_id === id);
    const kv = ({ key, value }: KeyValue) => ({ key, value });
    return rows.map((r) => ({
      info: runInfoJson(r),
      data: {
        metrics: of(metrics.rows, r.run_id).map(metricJson),
        params: of(params.rows, r.run_id).map(kv),
        tags: of(tags.rows, r.run_id).map(kv),
      },
    }));
  }

  async update(input: UpdateRunInput): Promise<{ run_info: RunInfoJson }> {
    await this.requireActive(input.run_id);
    await this.q.query(
      'UPDATE mlflow_runs SET status = COALESCE($2, status), end_time = COALESCE($3, end_time) WHERE run_id = $1',
      [input.run_id, input.status ?? null, input.end_time ?? null],
    );
    if (input.run_name) await this.upsertTags(input.run_id, [{ key: RUN_NAME_TAG, value: input.run_name }]);
    return { run_info: runInfoJson(await this.row(input.run_id)) };
  }

  async delete(runId: string): Promise<Empty> {
    await this.row(runId);
    await this.q.query(`UPDATE mlflow_runs SET lifecycle_stage = 'deleted', deleted_time = $2 WHERE run_id = $1`, [
      runId,
      Date.now(),
    ]);
    return {};
  }

  async restore(runId: string): Promise<Empty> {
    await this.row(runId);
    await this.q.query(`UPDATE mlflow_runs SET lifecycle_stage = 'active', deleted_time = NULL WHERE run_id = $1`, [
      runId,
    ]);
    return {};
  }

  async setTag(runId: string, tag: KeyValue): Promise<Empty> {
    checkTag(tag.key, tag.value);
    await this.requireActive(runId);
    await this.upsertTags(runId, [tag]);
    return {};
  }

  async deleteTag(runId: string, key: string): Promise<Empty> {
    await this.requireActive(runId);
    const { rowCount } = await this.q.query('DELETE FROM mlflow_tags WHERE run_id = $1 AND key = $2', [runId, key]);
    if (rowCount === 0) throw new NotFound(`No tag with name: ${key} in run with id ${runId}`);
    return {};
  }

  /**
   * Sets tags (the last value of a key repeated in one call wins). The run-name tag and the run's
   * name are one fact stored twice, so setting the tag renames the run.
   */
  async upsertTags(runId: string, tags: readonly KeyValue[]): Promise<void> {
    if (tags.length === 0) return;
    const last = new Map(tags.map((t) => [t.key, t.value]));
    await this.q.query(
      `INSERT INTO mlflow_tags (run_id, key, value) SELECT $1, k, v FROM unnest($2::text[], $3::text[]) AS t(k, v)
       ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value`,
      [runId, [...last.keys()], [...last.values()]],
    );
    const name = last.get(RUN_NAME_TAG);
    if (name !== undefined) await this.q.query('UPDATE mlflow_runs SET run_name = $2 WHERE run_id = $1', [runId, name]);
  }
}
