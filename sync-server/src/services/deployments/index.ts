import { randomUUID } from 'node:crypto';
import {
  deviceDocId,
  parseDocId,
  setDesired,
  type DeviceDoc,
  type Reported,
} from '../../../../shared/documents/index.ts';
import {
  GatesSchema,
  modelKey,
  type CreateDeployment,
  type Deployment,
  type DeploymentDetail,
  type DeploymentEvent,
  type DeploymentModel,
  type DeploymentStatus,
} from '../../../../shared/protocol/index.ts';
import { Conflict, Forbidden, NotFound } from '../errors.ts';
import type { Db, Queryable } from '../../store/db/index.ts';
import { forEachGroupDevice } from '../devices/fan-out.ts';
import type { DocumentsService } from '../documents/index.ts';
import type { RegistryService } from '../registry/registry.ts';
import { canaryProblem, chooseCanary, desiredFor, judge, runningModel, type GateVerdict } from './policy.ts';
import { DEPLOYMENT_COLUMNS, toDeployment, toEvent, type DeploymentRow, type EventRow } from './rows.ts';
import { readDeviceStates, upsertDesired, upsertReported } from './states.ts';

/** Documents written at once when a deployment changes: enough to overlap I/O, few enough to leave the pool to others. */

type Action = DeploymentEvent['action'];

/**
 * Deployments (DESIGN §3 step 2). Rows and the audit trail live in PostgreSQL; what each device
 * should run is written into its Automerge document's `desired`. A status change is one
 * conditional UPDATE, so two people (or a person and a gate) racing on a deployment cannot both
 * win; documents are then brought in line, and any device whose document was missed (a crash
 * mid-fan-out, a device enrolled later) is brought in line on its next sync by `reconcile`.
 */
export class DeploymentsService {
  constructor(
    private readonly db: Db,
    private readonly documents: DocumentsService,
    private readonly registry: RegistryService,
  ) {}

  async create(input: CreateDeployment, actor: string): Promise<Deployment> {
    const version = await this.registry.getVersion(input.model.name, input.model.version ?? input.model.alias!);
    const model = { name: version.name, version: version.version, sha256: version.sha256 };
    const gates = input.gates ? GatesSchema.parse(input.gates) : null;
    const dep = await this.db.transaction(async (tx) => {
      // Serialises deployments of one group: the current one is read and superseded under this lock.
      const group = await tx.query<{ name: string }>('SELECT name FROM device_groups WHERE id = $1 FOR UPDATE', [
        input.groupId,
      ]);
      if (!group.rowCount) throw new NotFound(`no device group ${input.groupId}`);
      // Holds the version and its model's name against a concurrent delete or rename until this
      // deployment is committed (they lock the same rows FOR UPDATE first: deployments/in-use.ts).
      const held = await tx.query(
        'SELECT 1 FROM model_versions v JOIN registered_models m ON m.id = v.model_id WHERE m.name = $1 AND v.version = $2 FOR SHARE OF v, m',
        [model.name, model.version],
      );
      if (!held.rowCount)
        throw new NotFound(`version ${model.version} of model "${model.name}" was deleted or renamed`);
      const current = await currentDeployment(tx, input.groupId);
      const previous = runningModel(current);
      const devices = await tx.query<{ id: string }>(
        'SELECT id FROM devices WHERE group_id = $1 AND revoked_at IS NULL ORDER BY id',
        [input.groupId],
      );
      const empty = canaryProblem(group.rows[0]!.name, devices.rows.length, input.canaryPercent);
      if (empty) throw new Conflict(empty);
      const id = randomUUID();
      const canary =
        input.canaryPercent >= 100
          ? []
          : chooseCanary(
              id,
              devices.rows.map((d) => d.id),
              input.canaryPercent,
            );
      if (current) {
        await tx.query(`UPDATE deployments SET status = 'superseded', updated_at = now() WHERE id = $1`, [current.id]);
        await recordEvent(tx, current.id, 'superseded', actor, `superseded by deployment ${id}`, { by: id });
      }
      const { rows } = await tx.query<DeploymentRow>(
        `INSERT INTO deployments (id, group_id, model_name, model_version, sha256, alias, canary_percent, canary_devices, gates, status,
           previous_name, previous_version, previous_sha256, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING ${DEPLOYMENT_COLUMNS}`,
        [
          id,
          input.groupId,
          model.name,
          model.version,
          model.sha256,
          input.model.alias ?? null,
          input.canaryPercent,
          canary,
          gates ? JSON.stringify(gates) : null,
          input.canaryPercent >= 100 ? 'active' : 'canary',
          previous?.name ?? null,
          previous?.version ?? null,
          previous?.sha256 ?? null,
          actor,
        ],
      );
      await recordEvent(tx, id, 'created', actor, input.reason ?? null, {
        model: modelKey(model),
        canaryPercent: input.canaryPercent,
        canaryDevices: canary.length,
        previous: previous ? modelKey(previous) : null,
      });
      return toDeployment(rows[0]!);
    });
    await this.fanOut(dep);
    return dep;
  }

  async list(filter: { groupId?: string; status?: DeploymentStatus }): Promise<Deployment[]> {
    const { rows } = await this.db.query<DeploymentRow>(
      `SELECT ${DEPLOYMENT_COLUMNS} FROM deployments WHERE ($1::uuid IS NULL OR group_id = $1) AND ($2::text IS NULL OR status = $2)
       ORDER BY created_at DESC, id LIMIT 500`,
      [filter.groupId ?? null, filter.status ?? null],
    );
    return rows.map(toDeployment);
  }

  async get(id: string, q: Queryable = this.db): Promise<Deployment> {
    const { rows } = await q.query<DeploymentRow>(`SELECT ${DEPLOYMENT_COLUMNS} FROM deployments WHERE id = $1`, [id]);
    if (!rows[0]) throw new NotFound(`no deployment ${id}`);
    return toDeployment(rows[0]);
  }

  /** The deployment and how far it got: devices per desired and per reported model. */
  async detail(id: string): Promise<DeploymentDetail> {
    const dep = await this.get(id);
    const states = await readDeviceStates(this.db, dep.groupId);
    const desired: Record<string, number> = {};
    const reported: Record<string, number> = {};
    // A superseded deployment no longer decides anything: its progress is what the group ran then.
    for (const s of states) {
      const want = desiredFor(dep, s.deviceId);
      const dk = want ? modelKey(want) : 'none';
      desired[dk] = (desired[dk] ?? 0) + 1;
      const rk =
        s.reportedName !== null && s.reportedVersion !== null
          ? modelKey({ name: s.reportedName, version: s.reportedVersion })
          : 'unknown';
      reported[rk] = (reported[rk] ?? 0) + 1;
    }
    return { ...dep, progress: { devices: states.length, desired, reported } };
  }

  promote(id: string, actor: string, reason?: string): Promise<Deployment> {
    return this.transition(id, ['canary', 'paused'], 'active', 'promoted', actor, reason);
  }

  pause(id: string, actor: string, reason?: string): Promise<Deployment> {
    return this.transition(id, ['canary'], 'paused', 'paused', actor, reason);
  }

  rollback(id: string, actor: string, reason?: string): Promise<Deployment> {
    return this.transition(id, ['canary', 'paused', 'active'], 'rolled_back', 'rolled_back', actor, reason);
  }

  async events(id: string): Promise<DeploymentEvent[]> {
    await this.get(id);
    const { rows } = await this.db.query<EventRow>(
      'SELECT deployment_id, action, actor, reason, details, at FROM deployment_events WHERE deployment_id = $1 ORDER BY id',
      [id],
    );
    return rows.map(toEvent);
  }

  /** The model this device should run now, by its group's current deployment. */
  async desiredForDevice(deviceId: string): Promise<{
    deployment: Deployment | undefined;
    model: DeploymentModel | null;
    state: { deploymentId: string | null; sha256: string | null };
  }> {
    const { rows } = await this.db.query<
      DeploymentRow & { device_group: string; desired_deployment_id: string | null; desired_sha256: string | null }
    >(
      `SELECT d.group_id AS device_group, s.desired_deployment_id, s.desired_sha256, ${DEPLOYMENT_COLUMNS.split(', ')
        .map((c) => `dep.${c}`)
        .join(', ')}
       FROM devices d LEFT JOIN device_states s ON s.device_id = d.id
       LEFT JOIN deployments dep ON dep.group_id = d.group_id AND dep.status <> 'superseded'
       WHERE d.id = $1`,
      [deviceId],
    );
    const row = rows[0];
    if (!row) throw new NotFound(`no device ${deviceId}`);
    const deployment = row.id ? toDeployment(row) : undefined;
    return {
      deployment,
      model: desiredFor(deployment, deviceId),
      state: { deploymentId: row.desired_deployment_id, sha256: row.desired_sha256 },
    };
  }

  /** Brings the device's `desired` in line with its group's deployment when it is not (one query when it is). */
  async reconcile(deviceId: string): Promise<void> {
    const { deployment, model, state } = await this.desiredForDevice(deviceId);
    if ((deployment?.id ?? null) === state.deploymentId && (model?.sha256 ?? null) === state.sha256) return;
    if (deployment) await this.writeDesired(deviceId, deployment.id, model);
  }

  /** A device token may fetch only the model its group's deployment wants it to run. */
  async deployedTo(deviceId: string, sha256: string): Promise<DeploymentModel> {
    const { model } = await this.desiredForDevice(deviceId);
    if (model?.sha256 !== sha256) throw new Forbidden(`model ${sha256.slice(0, 12)}… is not deployed to this device`);
    return model;
  }

  /** DocumentsService's receive listener: a device document brought changes. */
  async observeDocument(docId: string, doc: unknown): Promise<void> {
    const { kind, id } = parseDocId(docId);
    if (kind === 'device') await this.observe(id, (doc as DeviceDoc).reported);
  }

  /**
   * What a device reported after a sync: kept for progress and the fleet table, and judged by the
   * rollout gates when the device is in a running canary. Returns the gate's verdict when it tripped.
   */
  async observe(deviceId: string, reported: Reported): Promise<GateVerdict | null> {
    await upsertReported(this.db, deviceId, reported);
    const m = reported.metrics;
    if (!m) return null;
    const { deployment: dep } = await this.desiredForDevice(deviceId);
    if (dep?.status !== 'canary' || !dep.gates || !dep.canaryDevices.includes(deviceId)) return null;
    const verdict = judge(dep.gates, dep.model, m);
    if (!verdict) return null;
    const to = dep.gates.onTrip === 'pause' ? 'paused' : 'rolled_back';
    const tripped = await this.transition(
      dep.id,
      ['canary'],
      to,
      'gate_tripped',
      'gate',
      `device ${deviceId}: ${verdict.reason}`,
      { device: deviceId, ...verdict, outcome: to },
      false,
    );
    return tripped ? verdict : null;
  }

  private async transition(
    id: string,
    from: DeploymentStatus[],
    to: DeploymentStatus,
    action: Action,
    actor: string,
    reason?: string,
    details?: Record<string, unknown>,
  ): Promise<Deployment>;
  private async transition(
    id: string,
    from: DeploymentStatus[],
    to: DeploymentStatus,
    action: Action,
    actor: string,
    reason: string | undefined,
    details: Record<string, unknown>,
    strict: false,
  ): Promise<Deployment | undefined>;
  private async transition(
    id: string,
    from: DeploymentStatus[],
    to: DeploymentStatus,
    action: Action,
    actor: string,
    reason?: string,
    details: Record<string, unknown> = {},
    strict = true,
  ): Promise<Deployment | undefined> {
    const dep = await this.db.transaction(async (tx) => {
      const { rows } = await tx.query<DeploymentRow>(
        `UPDATE deployments SET status = $2, updated_at = now() WHERE id = $1 AND status = ANY($3::text[]) RETURNING ${DEPLOYMENT_COLUMNS}`,
        [id, to, from],
      );
      if (!rows[0]) {
        if (!strict) return undefined;
        const now = await this.get(id, tx);
        throw new Conflict(
          `deployment ${id} is ${now.status}; it can be ${action.replace('_', ' ')} only from ${from.join(' or ')}`,
        );
      }
      await recordEvent(tx, id, action, actor, reason ?? null, {
        from: from.length === 1 ? from[0] : undefined,
        to,
        ...details,
      });
      return toDeployment(rows[0]);
    });
    if (dep) await this.fanOut(dep);
    return dep;
  }

  /** Writes each device's desired model into its document. */
  private fanOut(dep: Deployment): Promise<void> {
    return forEachGroupDevice(this.db, dep.groupId, (deviceId) =>
      this.writeDesired(deviceId, dep.id, desiredFor(dep, deviceId)),
    );
  }

  private async writeDesired(deviceId: string, deploymentId: string, model: DeploymentModel | null): Promise<void> {
    const ref = model ? { name: model.name, version: String(model.version), sha256: model.sha256 } : undefined;
    await this.documents.change<DeviceDoc>(deviceDocId(deviceId), (doc) =>
      doc.desired.deploymentId === deploymentId && doc.desired.model?.sha256 === ref?.sha256
        ? doc
        : setDesired(doc, { model: ref, deploymentId }),
    );
    await upsertDesired(this.db, deviceId, deploymentId, model?.sha256 ?? null);
  }
}

async function currentDeployment(q: Queryable, groupId: string): Promise<Deployment | undefined> {
  const { rows } = await q.query<DeploymentRow>(
    `SELECT ${DEPLOYMENT_COLUMNS} FROM deployments WHERE group_id = $1 AND status <> 'superseded' FOR UPDATE`,
    [groupId],
  );
  return rows[0] ? toDeployment(rows[0]) : undefined;
}

async function recordEvent(
  q: Queryable,
  deploymentId: string,
  action: Action,
  actor: string,
  reason: string | null,
  details: Record<string, unknown>,
): Promise<void> {
  await q.query(
    'INSERT INTO deployment_events (deployment_id, action, actor, reason, details) VALUES ($1, $2, $3, $4, $5)',
    [deploymentId, action, actor, reason, JSON.stringify(details)],
  );
}

export { chooseCanary, desiredFor, judge } from './policy.ts';
