import type { Queryable } from '../../store/db/index.ts';
import { metricJson, type KeyValue, type MetricJson, type MetricRow } from './entities.ts';
import type { Runs } from './runs.ts';
import { Invalid } from '../errors.ts';
import { checkMaxResults, page, pageOffset } from './search/paging.ts';
import { checkBatchLimits, checkMetric, checkParam, checkTag } from './validation.ts';

export interface MetricInput {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

export interface BatchInput {
  metrics?: MetricInput[] | undefined;
  params?: KeyValue[] | undefined;
  tags?: KeyValue[] | undefined;
}

const LOGGED_MODELS_TAG = 'mlflow.log-model.history';
type Empty = Record<string, never>;

/** What a run records: metrics (appended), params (write-once) and tags (overwritten). */
export class RunData {
  constructor(
    private readonly q: Queryable,
    private readonly runs: Runs,
  ) {}

  /**
   * MLflow's log-batch: all or nothing. Params go first, so a param logged again with another value
   * fails the whole batch (the caller's transaction rolls back) before anything is kept.
   */
  async logBatch(runId: string, batch: BatchInput): Promise<Empty> {
    const metrics = batch.metrics ?? [];
    const params = batch.params ?? [];
    const tags = batch.tags ?? [];
    checkBatchLimits(metrics.length, params.length, tags.length);
    metrics.forEach(checkMetric);
    params.forEach((p) => checkParam(p.key, p.value));
    tags.forEach((t) => checkTag(t.key, t.value));
    const keys = params.map((p) => p.key);
    const dupes = keys.filter((k, i) => keys.indexOf(k) !== i);
    if (dupes.length) {
      throw new Invalid(
        `Duplicate parameter keys have been submitted: ${JSON.stringify([...new Set(dupes)])}. Please ensure the request contains only one param value per param key.`,
      );
    }
    await this.runs.requireActive(runId);
    await this.logParams(runId, params);
    await this.logMetrics(runId, metrics);
    await this.runs.upsertTags(runId, tags);
    return {};
  }

  logMetric(runId: string, metric: MetricInput): Promise<Empty> {
    return this.logBatch(runId, { metrics: [metric] });
  }

  logParam(runId: string, param: KeyValue): Promise<Empty> {
    return this.logBatch(runId, { params: [param] });
  }

  /** runs/log-model: appends the model's MLmodel JSON to the run's logged-models tag. */
  async logModel(runId: string, modelJson: string): Promise<Empty> {
    let model: unknown;
    try {
      model = JSON.parse(modelJson);
    } catch {
      throw new Invalid(`Malformed model info. \n ${modelJson} \n is not a valid JSON.`);
    }
    await this.runs.requireActive(runId);
    const { rows } = await this.q.query<{ value: string }>(
      'SELECT value FROM mlflow_tags WHERE run_id = $1 AND key = $2 FOR UPDATE',
      [runId, LOGGED_MODELS_TAG],
    );
    const history = rows[0] ? (JSON.parse(rows[0].value) as unknown[]) : [];
    const value = JSON.stringify([...history, model]);
    checkTag(LOGGED_MODELS_TAG, value);
    await this.runs.upsertTags(runId, [{ key: LOGGED_MODELS_TAG, value }]);
    return {};
  }

  /** Every point of one metric, oldest first; paged when max_results is given, else all of them. */
  async history(
    runId: string,
    key: string,
    opts: { max_results?: number | undefined; page_token?: string | undefined },
  ): Promise<{ metrics: MetricJson[]; next_page_token?: string }> {
    await this.runs.row(runId);
    if (opts.max_results !== undefined) checkMaxResults(opts.max_results);
    const offset = pageOffset(opts.page_token);
    const limit = opts.max_results === undefined ? null : opts.max_results + 1;
    const { rows } = await this.q.query<MetricRow>(
      `SELECT key, value, timestamp, step FROM mlflow_metrics WHERE run_id = $1 AND key = $2
       ORDER BY timestamp, step, value OFFSET $3 LIMIT $4`,
      [runId, key, offset, limit],
    );
    const { items, next_page_token } =
      opts.max_results === undefined ? { items: rows } : page(rows, offset, opts.max_results);
    return { metrics: items.map(metricJson), ...(next_page_token ? { next_page_token } : {}) };
  }

  private async logParams(runId: string, params: KeyValue[]): Promise<void> {
    if (params.length === 0) return;
    const keys = params.map((p) => p.key);
    // A concurrent writer of the same key makes this insert wait for it; the select below then sees
    // the committed value, so two different values can never both be accepted.
    await this.q.query(
      `INSERT INTO mlflow_params (run_id, key, value) SELECT $1, k, v FROM unnest($2::text[], $3::text[]) AS p(k, v)
       ON CONFLICT (run_id, key) DO NOTHING`,
      [runId, keys, params.map((p) => p.value)],
    );
    const { rows } = await this.q.query<KeyValue>(
      'SELECT key, value FROM mlflow_params WHERE run_id = $1 AND key = ANY($2)',
      [runId, keys],
    );
    const stored = new Map(rows.map((r) => [r.key, r.value]));
    const changed = params
      .filter((p) => stored.get(p.key) !== p.value)
      .map((p) => ({ key: p.key, old_value: stored.get(p.key), new_value: p.value }));
    if (changed.length) {
      throw new Invalid(
        `Changing param values is not allowed. Params were already logged='${JSON.stringify(changed)}' for run ID='${runId}'.`,
      );
    }
  }

  private async logMetrics(runId: string, metrics: MetricInput[]): Promise<void> {
    if (metrics.length === 0) return;
    const cols = [
      metrics.map((m) => m.key),
      metrics.map((m) => m.value),
      metrics.map((m) => m.timestamp),
      metrics.map((m) => m.step),
    ];
    // The very same point logged twice is kept once, as in MLflow.
    await this.q.query(
      `INSERT INTO mlflow_metrics (run_id, key, value, timestamp, step)
       SELECT $1, k, v, t, s FROM unnest($2::text[], $3::float8[], $4::bigint[], $5::bigint[]) AS m(k, v, t, s)
       ON CONFLICT DO NOTHING`,
      [runId, ...cols],
    );
    // One candidate per key (an upsert may touch a row once per statement): the greatest
    // (step, timestamp, value), which replaces the stored latest only when greater still.
    await this.q.query(
      `INSERT INTO mlflow_latest_metrics AS l (run_id, key, value, timestamp, step)
       SELECT DISTINCT ON (k) $1, k, v, t, s FROM unnest($2::text[], $3::float8[], $4::bigint[], $5::bigint[]) AS m(k, v, t, s)
       ORDER BY k, s DESC, t DESC, v DESC
       ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp, step = excluded.step
       WHERE (excluded.step, excluded.timestamp, excluded.value) > (l.step, l.timestamp, l.value)`,
      [runId, ...cols],
    );
  }
}
