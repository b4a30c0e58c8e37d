import type { Queryable } from '../../store/db/index.ts';
import { Conflict } from '../errors.ts';

/**
 * A registry change refused because a device group runs the model (or would return to it on
 * rollback). Its own class, and MLflow code, so the MLflow API answers RESOURCE_CONFLICT (409) rather
 * than the "already exists" it makes of other conflicts.
 */
export class InUseError extends Conflict {
  constructor(message: string, details: { deploymentId: string; groupId: string; status: string; version: number }) {
    super(message, { details, mlflowCode: 'RESOURCE_CONFLICT' });
  }
}

/**
 * Refuses to delete or rename a model version (or, without `version`, any version of the model)
 * that a group runs or would return to on rollback: the current deployment's version and its
 * previous one. Deployments name models by name, so a rename would strand them just as a delete.
 * Call inside the changing transaction, after `lockForChange`: the row locks keep a deployment
 * of the same version from committing meanwhile (it takes them FOR SHARE).
 */
export async function assertNotDeployed(q: Queryable, name: string, version?: number, what = 'deleted'): Promise<void> {
  const find = () =>
    q.query<{ id: string; group_id: string; status: string; v: number }>(
      `SELECT id, group_id, status, CASE WHEN model_name = $1 AND ($2::int IS NULL OR model_version = $2) THEN model_version ELSE previous_version END AS v
       FROM deployments
       WHERE status <> 'superseded'
         AND ((model_name = $1 AND ($2::int IS NULL OR model_version = $2)) OR (previous_name = $1 AND ($2::int IS NULL OR previous_version = $2)))
       LIMIT 1 FOR UPDATE`,
      [name, version ?? null],
    );
  // A deployment being created holds the group's current one locked while it supersedes it: the
  // first read waits for it, then drops the superseded row; only a second statement (a fresh
  // snapshot) sees the new deployment, whose previous version may well be this one.
  const row = (await find()).rows[0] ?? (await find()).rows[0];
  if (row) {
    throw new InUseError(
      `version ${row.v} of model "${name}" is deployed to device group ${row.group_id} (deployment ${row.id}, ${row.status}), so it cannot be ${what}; deploy another version there first`,
      { deploymentId: row.id, groupId: row.group_id, status: row.status, version: row.v },
    );
  }
}

/**
 * Locks what a deployment of `name` (at `version`, or any version) holds FOR SHARE while it commits:
 * the version row, or the model row. A deployment that got there first makes this wait for its
 * commit, so the `assertNotDeployed` after it sees that deployment; one that comes later waits for
 * this change and then finds the version gone (or renamed). Returns false when there is nothing.
 */
export async function lockForChange(q: Queryable, name: string, version?: number): Promise<boolean> {
  const { rowCount } =
    version === undefined
      ? await q.query('SELECT 1 FROM registered_models WHERE name = $1 FOR UPDATE', [name])
      : await q.query(
          'SELECT 1 FROM model_versions v JOIN registered_models m ON m.id = v.model_id WHERE m.name = $1 AND v.version = $2 FOR UPDATE OF v',
          [name, version],
        );
  return rowCount > 0;
}
