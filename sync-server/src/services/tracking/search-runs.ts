import type { Queryable } from '../../store/db/index.ts';
import { RUN_COLUMNS, stagesOf, type RunJson, type RunRow, type ViewType } from './entities.ts';
import type { Runs } from './runs.ts';
import { parseFilter, parseOrderBy, RUN_GRAMMAR } from './search/filter.ts';
import { checkMaxResults, page, pageOffset, SEARCH_MAX_RESULTS_DEFAULT } from './search/paging.ts';
import { filterSql, orderSql, RUN_SCHEMA, SqlParams } from './search/sql.ts';

export interface SearchRunsInput {
  experiment_ids: string[];
  filter?: string | undefined;
  run_view_type?: ViewType | undefined;
  max_results?: number | undefined;
  order_by?: string[] | undefined;
  page_token?: string | undefined;
}

/**
 * runs/search: MLflow's filter and order_by over the runs of some experiments. Runs are ordered by
 * the order_by terms, then by start time (newest first) and run id, as MLflow does.
 */
export async function searchRuns(
  q: Queryable,
  runs: Runs,
  input: SearchRunsInput,
): Promise<{ runs: RunJson[]; next_page_token?: string }> {
  const maxResults = input.max_results ?? SEARCH_MAX_RESULTS_DEFAULT;
  checkMaxResults(maxResults);
  const offset = pageOffset(input.page_token);
  const clauses = parseFilter(input.filter, RUN_GRAMMAR);
  const terms = parseOrderBy(input.order_by ?? [], RUN_GRAMMAR);
  // Ids that are not integers name no experiment; they must not reach the bigint comparison.
  const experimentIds = input.experiment_ids.filter((id) => /^\d{1,18}$/.test(id));
  if (experimentIds.length === 0) return { runs: [] };

  const p = new SqlParams();
  const where = [
    `r.experiment_id = ANY(${p.add(experimentIds)}::bigint[])`,
    `r.lifecycle_stage = ANY(${p.add(stagesOf(input.run_view_type ?? 'ACTIVE_ONLY'))})`,
    ...filterSql(clauses, RUN_SCHEMA, p),
  ];
  if (!terms.some((t) => t.type === 'attribute' && t.key === 'start_time'))
    terms.push({ type: 'attribute', key: 'start_time', ascending: false });
  terms.push({ type: 'attribute', key: 'run_id', ascending: true });
  const order = orderSql(terms, RUN_SCHEMA, p);
  const { rows } = await q.query<RunRow>(
    `SELECT ${RUN_COLUMNS} FROM mlflow_runs r ${order.joins.join(' ')}
     WHERE ${where.join(' AND ')} ORDER BY ${order.orderBy.join(', ')} OFFSET ${p.add(offset)} LIMIT ${p.add(maxResults + 1)}`,
    p.values,
  );
  const { items, next_page_token } = page(rows, offset, maxResults);
  return { runs: await runs.load(items), ...(next_page_token ? { next_page_token } : {}) };
}
