import { mlflowError } from '../../http/mlflow-errors.ts';

/**
 * The part of MLflow's registry search grammar TinySphere answers: clauses joined by AND, each
 * `name = '…'`, `name LIKE '…'`, `name ILIKE '…'` or (versions) `run_id = '…'`. Anything else is
 * refused with INVALID_PARAMETER_VALUE rather than silently ignored.
 */
export function parseRegistryFilter(filter: string | undefined): {
  model: { equals?: string; like?: string; ilike?: string };
  version: { name?: string; runId?: string };
} {
  const model: { equals?: string; like?: string; ilike?: string } = {};
  const version: { name?: string; runId?: string } = {};
  const text = (filter ?? '').trim();
  if (!text) return { model, version };
  for (const clause of text.split(/\s+AND\s+/i)) {
    const m = /^\s*(name|run_id)\s*(=|LIKE|ILIKE)\s*(['"])((?:(?!\3).)*)\3\s*$/i.exec(clause);
    if (!m)
      throw mlflowError(
        'INVALID_PARAMETER_VALUE',
        `Invalid filter '${filter}': TinySphere supports name = / LIKE / ILIKE '…' and run_id = '…' joined by AND`,
      );
    const [, key, op, , value] = m as unknown as [string, string, string, string, string];
    const k = key.toLowerCase();
    const o = op.toUpperCase();
    if (k === 'run_id') {
      if (o !== '=') throw mlflowError('INVALID_PARAMETER_VALUE', `Invalid filter '${filter}': run_id supports = only`);
      version.runId = value;
    } else if (o === '=') {
      model.equals = value;
      version.name = value;
    } else {
      if (o === 'LIKE') model.like = value;
      else model.ilike = value;
      if (version.name === undefined) version.name = undefined;
    }
  }
  return { model, version };
}
