import { HttpError } from '../../http/errors.ts';
import type { Queryable } from '../../store/db/index.ts';

/**
 * Refuses to delete a model version (or, without `version`, any version of the model) that a
 * group runs or would return to on rollback: the current deployment's version and its previous one.
 * Call inside the deleting transaction; the row locks keep a deployment from starting meanwhile.
 */
export async function assertNotDeployed(q: Queryable, name: string, version?: number): Promise<void> {
  const { rows } = await q.query<{ id: string; group_id: string; status: string; v: number }>(
    `SELECT id, group_id, status, CASE WHEN model_name = $1 AND ($2::int IS NULL OR model_version = $2) THEN model_version ELSE previous_version END AS v
     FROM deployments
     WHERE status <> 'superseded'
       AND ((model_name = $1 AND ($2::int IS NULL OR model_version = $2)) OR (previous_name = $1 AND ($2::int IS NULL OR previous_version = $2)))
     LIMIT 1 FOR UPDATE`,
    [name, version ?? null],
  );
  const row = rows[0];
  if (row) {
    throw HttpError.of('conflict', `version ${row.v} of model "${name}" is deployed to device group ${row.group_id} (deployment ${row.id}, ${row.status}); deploy another version there first`);
  }
}
