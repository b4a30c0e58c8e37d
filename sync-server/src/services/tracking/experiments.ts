import { Conflict, Invalid, NotFound } from '../errors.ts';
import type { Queryable } from '../../store/db/index.ts';
import {
  EXPERIMENT_COLUMNS,
  experimentJson,
  stagesOf,
  type ExperimentJson,
  type ExperimentRow,
  type KeyValue,
  type ViewType,
} from './entities.ts';
import { artifactRootUri } from './artifact-paths.ts';
import { EXPERIMENT_GRAMMAR, parseFilter, parseOrderBy } from './search/filter.ts';
import { checkMaxResults, page, pageOffset, SEARCH_MAX_RESULTS_DEFAULT } from './search/paging.ts';
import { EXPERIMENT_SCHEMA, filterSql, orderSql, SqlParams } from './search/sql.ts';
import { checkExperimentName, checkExperimentTag } from './validation.ts';

export const DEFAULT_EXPERIMENT_ID = '0';
const UNIQUE_VIOLATION = '23505';
const now = () => Date.now();

/** Experiment ids are integers sent as strings; anything else names no experiment. */
function idOf(experimentId: string): string {
  if (!/^\d{1,18}$/.test(experimentId)) throw new NotFound(`No Experiment with id=${experimentId} exists`);
  return experimentId;
}

export interface SearchExperimentsInput {
  view_type?: ViewType | undefined;
  max_results?: number | undefined;
  filter?: string | undefined;
  order_by?: string[] | undefined;
  page_token?: string | undefined;
}

/** Experiments and their tags; every method runs on the Queryable given (a transaction for writes). */
export class Experiments {
  constructor(private readonly q: Queryable) {}

  async create(input: {
    name: string;
    artifact_location?: string | undefined;
    tags?: KeyValue[] | undefined;
  }): Promise<{ experiment_id: string }> {
    checkExperimentName(input.name);
    for (const t of input.tags ?? []) checkExperimentTag(t.key, t.value);
    const location = input.artifact_location ? artifactRootUri(input.artifact_location) : null;
    const t = now();
    // The id is drawn first so the default artifact location can name it in the same insert.
    const { rows } = await this.q.query<{ experiment_id: string }>(
      `WITH id AS (SELECT nextval(pg_get_serial_sequence('mlflow_experiments', 'experiment_id')) AS v)
       INSERT INTO mlflow_experiments (experiment_id, name, artifact_location, creation_time, last_update_time)
       SELECT v, $1, COALESCE($2, 'mlflow-artifacts:/' || v), $3, $3 FROM id
       ON CONFLICT (name) DO NOTHING RETURNING experiment_id`,
      [input.name, location, t],
    );
    const id = rows[0]?.experiment_id;
    if (id === undefined) throw new Conflict(`Experiment(name=${input.name}) already exists.`);
    await this.upsertTags(String(id), input.tags ?? []);
    return { experiment_id: String(id) };
  }

  /** The experiment row in one of the stages, or RESOURCE_DOES_NOT_EXIST. */
  async row(experimentId: string, view: ViewType = 'ALL'): Promise<ExperimentRow> {
    const { rows } = await this.q.query<ExperimentRow>(
      `SELECT ${EXPERIMENT_COLUMNS} FROM mlflow_experiments e WHERE e.experiment_id = $1 AND e.lifecycle_stage = ANY($2)`,
      [idOf(experimentId), stagesOf(view)],
    );
    if (!rows[0]) throw new NotFound(`No Experiment with id=${experimentId} exists`);
    return rows[0];
  }

  async requireActive(experimentId: string): Promise<ExperimentRow> {
    const row = await this.row(experimentId);
    if (row.lifecycle_stage !== 'active') {
      throw new Invalid(
        `The experiment ${experimentId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`,
      );
    }
    return row;
  }

  async get(experimentId: string): Promise<{ experiment: ExperimentJson }> {
    const [experiment] = await this.withTags([await this.row(experimentId)]);
    return { experiment: experiment! };
  }

  async getByName(name: string): Promise<{ experiment: ExperimentJson }> {
    const { rows } = await this.q.query<ExperimentRow>(
      `SELECT ${EXPERIMENT_COLUMNS} FROM mlflow_experiments e WHERE e.name = $1`,
      [name],
    );
    if (!rows[0]) throw new NotFound(`Could not find experiment with name '${name}'`);
    const [experiment] = await this.withTags(rows);
    return { experiment: experiment! };
  }

  async search(input: SearchExperimentsInput): Promise<{ experiments: ExperimentJson[]; next_page_token?: string }> {
    const maxResults = input.max_results ?? SEARCH_MAX_RESULTS_DEFAULT;
    checkMaxResults(maxResults);
    const offset = pageOffset(input.page_token);
    const p = new SqlParams();
    const where = [
      `e.lifecycle_stage = ANY(${p.add(stagesOf(input.view_type ?? 'ACTIVE_ONLY'))})`,
      ...filterSql(parseFilter(input.filter, EXPERIMENT_GRAMMAR), EXPERIMENT_SCHEMA, p),
    ];
    const terms = parseOrderBy(
      input.order_by?.length ? input.order_by : ['creation_time DESC', 'experiment_id ASC'],
      EXPERIMENT_GRAMMAR,
    );
    if (!terms.some((t) => t.type === 'attribute' && t.key === 'experiment_id'))
      terms.push({ type: 'attribute', key: 'experiment_id', ascending: false });
    const order = orderSql(terms, EXPERIMENT_SCHEMA, p);
    const { rows } = await this.q.query<ExperimentRow>(
      `SELECT ${EXPERIMENT_COLUMNS} FROM mlflow_experiments e ${order.joins.join(' ')}
       WHERE ${where.join(' AND ')} ORDER BY ${order.orderBy.join(', ')} OFFSET ${p.add(offset)} LIMIT ${p.add(maxResults + 1)}`,
      p.values,
    );
    const { items, next_page_token } = page(rows, offset, maxResults);
    return { experiments: await this.withTags(items), ...(next_page_token ? { next_page_token } : {}) };
  }

  async rename(experimentId: string, newName: string): Promise<Record<string, never>> {
    checkExperimentName(newName);
    const row = await this.row(experimentId);
    if (row.lifecycle_stage !== 'active')
      throw new Conflict('Cannot rename a non-active experiment.', { mlflowCode: 'INVALID_STATE' });
    try {
      await this.q.query('UPDATE mlflow_experiments SET name = $2, last_update_time = $3 WHERE experiment_id = $1', [
        row.experiment_id,
        newName,
        now(),
      ]);
    } catch (err) {
      if ((err as { code?: string }).code === UNIQUE_VIOLATION)
        throw new Conflict(`Experiment(name=${newName}) already exists.`);
      throw err;
    }
    return {};
  }

  /** Soft delete, as MLflow: the experiment and all its runs move to the 'deleted' stage. */
  async delete(experimentId: string): Promise<Record<string, never>> {
    if (experimentId === DEFAULT_EXPERIMENT_ID)
      throw new Invalid('Cannot delete the default experiment 0. This is an internally reserved experiment.');
    const row = await this.row(experimentId, 'ACTIVE_ONLY');
    await this.setStage(row.experiment_id, 'deleted');
    return {};
  }

  async restore(experimentId: string): Promise<Record<string, never>> {
    const row = await this.row(experimentId, 'DELETED_ONLY');
    await this.setStage(row.experiment_id, 'active');
    return {};
  }

  async setTag(experimentId: string, tag: KeyValue): Promise<Record<string, never>> {
    checkExperimentTag(tag.key, tag.value);
    const row = await this.requireActive(experimentId);
    await this.upsertTags(row.experiment_id, [tag]);
    return {};
  }

  async deleteTag(experimentId: string, key: string): Promise<Record<string, never>> {
    const row = await this.requireActive(experimentId);
    const { rowCount } = await this.q.query(
      'DELETE FROM mlflow_experiment_tags WHERE experiment_id = $1 AND key = $2',
      [row.experiment_id, key],
    );
    if (rowCount === 0) throw new NotFound(`No tag with name: ${key} in experiment with id ${experimentId}`);
    return {};
  }

  private async setStage(experimentId: string, stage: 'active' | 'deleted'): Promise<void> {
    const t = now();
    await this.q.query(
      'UPDATE mlflow_experiments SET lifecycle_stage = $2, last_update_time = $3 WHERE experiment_id = $1',
      [experimentId, stage, t],
    );
    await this.q.query('UPDATE mlflow_runs SET lifecycle_stage = $2, deleted_time = $3 WHERE experiment_id = $1', [
      experimentId,
      stage,
      stage === 'deleted' ? t : null,
    ]);
  }

  private async upsertTags(experimentId: string, tags: KeyValue[]): Promise<void> {
    if (tags.length === 0) return;
    // Within one request the last value of a repeated key wins.
    const last = new Map(tags.map((t) => [t.key, t.value]));
    await this.q.query(
      `INSERT INTO mlflow_experiment_tags (experiment_id, key, value) SELECT $1, k, v FROM unnest($2::text[], $3::text[]) AS t(k, v)
       ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value`,
      [experimentId, [...last.keys()], [...last.values()]],
    );
  }

  private async withTags(rows: ExperimentRow[]): Promise<ExperimentJson[]> {
    if (rows.length === 0) return [];
    const { rows: tags } = await this.q.query<KeyValue & { experiment_id: string }>(
      'SELECT experiment_id, key, value FROM mlflow_experiment_tags WHERE experiment_id = ANY($1::bigint[]) ORDER BY key',
      [rows.map((r) => r.experiment_id)],
    );
    return rows.map((r) =>
      experimentJson(
        r,
        tags.filter((t) => t.experiment_id === r.experiment_id).map(({ key, value }) => ({ key, value })),
      ),
    );
  }
}
