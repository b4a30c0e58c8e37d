import type { Clause, Comparator, EntityType, OrderTerm } from './filter.ts';

/** Collects query parameters; every value a filter carries goes through here, never into the SQL text. */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * Where a search's keys live. Column and table names come from this fixed description only, so the
 * SQL text depends on the filter's shape, and user input reaches the query as parameters alone.
 */
export interface SearchSchema {
  /** Alias of the searched table in the query, e.g. `r`. */
  alias: string;
  /** Its primary-key column, joined to by the child tables. */
  id: string;
  /** Attribute name → column of the searched table. */
  columns: Readonly<Record<string, string>>;
  /** Tables of key/value children (metrics, params, tags) with the column pointing back at `id`. */
  children: Partial<Readonly<Record<Exclude<EntityType, 'attribute'>, { table: string; fk: string }>>>;
}

export const RUN_SCHEMA: SearchSchema = {
  alias: 'r',
  id: 'run_id',
  columns: {
    run_id: 'run_id',
    run_name: 'run_name',
    user_id: 'user_id',
    status: 'status',
    artifact_uri: 'artifact_uri',
    start_time: 'start_time',
    end_time: 'end_time',
    experiment_id: 'experiment_id',
  },
  children: {
    metric: { table: 'mlflow_latest_metrics', fk: 'run_id' },
    parameter: { table: 'mlflow_params', fk: 'run_id' },
    tag: { table: 'mlflow_tags', fk: 'run_id' },
  },
};

export const EXPERIMENT_SCHEMA: SearchSchema = {
  alias: 'e',
  id: 'experiment_id',
  columns: {
    name: 'name',
    creation_time: 'creation_time',
    last_update_time: 'last_update_time',
    experiment_id: 'experiment_id',
  },
  children: { tag: { table: 'mlflow_experiment_tags', fk: 'experiment_id' } },
};

const SQL_OPERATOR: Record<Exclude<Comparator, 'IN' | 'NOT IN'>, string> = {
  '=': '=',
  '!=': '<>',
  '>': '>',
  '>=': '>=',
  '<': '<',
  '<=': '<=',
  LIKE: 'LIKE',
  ILIKE: 'ILIKE',
};

function column(schema: SearchSchema, key: string): string {
  const col = schema.columns[key];
  if (!col) throw new Error(`search schema has no column for attribute ${key}`);
  return `${schema.alias}.${col}`;
}

function child(schema: SearchSchema, type: Exclude<EntityType, 'attribute'>) {
  const c = schema.children[type];
  if (!c) throw new Error(`search schema has no ${type} table`);
  return c;
}

function comparison(lhs: string, clause: Clause, p: SqlParams): string {
  if (clause.comparator === 'IN') return `${lhs} = ANY(${p.add(clause.value)}::text[])`;
  if (clause.comparator === 'NOT IN') return `NOT (${lhs} = ANY(${p.add(clause.value)}::text[]))`;
  return `${lhs} ${SQL_OPERATOR[clause.comparator]} ${p.add(clause.value)}`;
}

/**
 * One SQL condition per clause, to be AND-ed. A metric, param or tag clause holds only for rows
 * that have that key (as in MLflow's SQL store, where they are inner-joined subqueries).
 */
export function filterSql(clauses: readonly Clause[], schema: SearchSchema, p: SqlParams): string[] {
  return clauses.map((clause) => {
    if (clause.type === 'attribute') return comparison(column(schema, clause.key), clause, p);
    const { table, fk } = child(schema, clause.type);
    return `EXISTS (SELECT 1 FROM ${table} f WHERE f.${fk} = ${schema.alias}.${schema.id} AND f.key = ${p.add(clause.key)} AND ${comparison('f.value', clause, p)})`;
  });
}

/**
 * ORDER BY terms (with the joins they need). Missing values sort last in either direction, and for
 * metrics NaN sorts after numbers and before missing values, as MLflow's SQL store does.
 */
export function orderSql(
  terms: readonly OrderTerm[],
  schema: SearchSchema,
  p: SqlParams,
): { joins: string[]; orderBy: string[] } {
  const joins: string[] = [];
  const orderBy: string[] = [];
  terms.forEach((term, n) => {
    const dir = term.ascending ? 'ASC' : 'DESC';
    if (term.type === 'attribute') {
      orderBy.push(`${column(schema, term.key)} ${dir} NULLS LAST`);
      return;
    }
    const { table, fk } = child(schema, term.type);
    const alias = `o${n}`;
    joins.push(
      `LEFT JOIN ${table} ${alias} ON ${alias}.${fk} = ${schema.alias}.${schema.id} AND ${alias}.key = ${p.add(term.key)}`,
    );
    if (term.type === 'metric')
      orderBy.push(`CASE WHEN ${alias}.value IS NULL THEN 2 WHEN ${alias}.value = 'NaN' THEN 1 ELSE 0 END`);
    orderBy.push(`${alias}.value ${dir} NULLS LAST`);
  });
  return { joins, orderBy };
}
