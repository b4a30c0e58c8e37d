import type { Deployment, DeploymentEvent, Gates } from '../../../../shared/protocol/index.ts';

/** Row shapes as SQL returns them (migration 007), and their mapping to the API's types. */
export interface DeploymentRow {
  id: string;
  group_id: string;
  model_name: string;
  model_version: number;
  sha256: string;
  alias: string | null;
  canary_percent: number;
  canary_devices: string[];
  gates: Gates | null;
  status: Deployment['status'];
  previous_name: string | null;
  previous_version: number | null;
  previous_sha256: string | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export const DEPLOYMENT_COLUMNS =
  'id, group_id, model_name, model_version, sha256, alias, canary_percent, canary_devices, gates, status, previous_name, previous_version, previous_sha256, created_by, created_at, updated_at';

export const toDeployment = (r: DeploymentRow): Deployment => ({
  id: r.id,
  groupId: r.group_id,
  model: { name: r.model_name, version: r.model_version, sha256: r.sha256 },
  alias: r.alias,
  strategy: r.canary_percent >= 100 ? 'all' : 'canary',
  canaryPercent: r.canary_percent,
  canaryDevices: r.canary_devices,
  gates: r.gates,
  status: r.status,
  previous:
    r.previous_name !== null && r.previous_version !== null && r.previous_sha256 !== null
      ? { name: r.previous_name, version: r.previous_version, sha256: r.previous_sha256 }
      : null,
  createdBy: r.created_by,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

export interface EventRow {
  deployment_id: string;
  action: DeploymentEvent['action'];
  actor: string;
  reason: string | null;
  details: Record<string, unknown>;
  at: Date;
}

export const toEvent = (r: EventRow): DeploymentEvent => ({
  deploymentId: r.deployment_id,
  action: r.action,
  actor: r.actor,
  reason: r.reason,
  details: r.details,
  at: r.at.toISOString(),
});
