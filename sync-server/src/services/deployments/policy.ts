import { createHash } from 'node:crypto';
import type { ReportedMetrics } from '../../../../shared/documents/index.ts';
import type { Deployment, DeploymentModel, Gates } from '../../../../shared/protocol/index.ts';

/**
 * The pure rules of a rollout: who is in a canary, what each device should run, and when a gate
 * trips. Kept free of I/O so every server instance decides the same way and tests need no server.
 */

/**
 * The canary: the group's devices ranked by sha256(deployment id, device id), the first
 * round(n·p/100) of them (at least one). Stable for a deployment, a fresh sample for the next one.
 */
export function chooseCanary(deploymentId: string, deviceIds: readonly string[], percent: number): string[] {
  if (percent >= 100) return [...deviceIds];
  if (deviceIds.length === 0) return [];
  const size = Math.max(1, Math.round((deviceIds.length * percent) / 100));
  const rank = (id: string) => createHash('sha256').update(`${deploymentId}:${id}`).digest('hex');
  return deviceIds
    .map((id) => ({ id, key: rank(id) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .slice(0, size)
    .map((d) => d.id);
}

/**
 * Why a canary cannot start, or null. A canary tries a version on some of the group's devices
 * while the rest keep what they run; in a group with no devices yet there is nothing to try it on,
 * its gates never hear from anyone, and every device enrolling later lands outside it (running the
 * previous model — none, for a first deployment) with nothing to promote. So it is refused, and the
 * operator deploys to the whole group (which later devices follow) or enrols devices first.
 */
export function canaryProblem(groupName: string, deviceCount: number, percent: number): string | null {
  if (percent >= 100 || deviceCount > 0) return null;
  return `group "${groupName}" has no devices yet: a canary needs at least one device to try the version on. Enrol devices first, or deploy to the whole group (canaryPercent 100): devices that enrol later get that version`;
}

/** The model a device of the group should run under its group's current deployment (null: none). */
export function desiredFor(
  dep: Pick<Deployment, 'status' | 'model' | 'previous' | 'canaryDevices'> | undefined,
  deviceId: string,
): DeploymentModel | null {
  if (!dep) return null;
  switch (dep.status) {
    case 'active':
      return dep.model;
    case 'canary':
    case 'paused':
      return dep.canaryDevices.includes(deviceId) ? dep.model : dep.previous;
    case 'rolled_back':
    case 'superseded':
      return dep.previous;
  }
}

/** What devices outside a new deployment's canary keep running: what the group runs now. */
export function runningModel(
  current: Pick<Deployment, 'status' | 'model' | 'previous'> | undefined,
): DeploymentModel | null {
  if (!current) return null;
  return current.status === 'active' ? current.model : current.previous;
}

export interface GateVerdict {
  /** Which limit was crossed, in words, for the audit trail. */
  reason: string;
  metric: 'driftAlarms' | 'errorRate' | 'p95Ms';
  value: number;
  limit: number;
}

/**
 * Judges one canary device's report on the deployment's model. Reports about another model, or
 * with too few inferences to say anything, never trip a gate.
 */
export function judge(gates: Gates, model: DeploymentModel, m: ReportedMetrics): GateVerdict | null {
  if (m.model?.sha256 !== model.sha256) return null;
  if (m.inferences < gates.minInferences) return null;
  // Alarm records only: warnings (m.driftWarnings) are early signs a detector may retract, never a reason to roll back.
  if (gates.maxDriftAlarms !== undefined && m.driftAlarms > gates.maxDriftAlarms) {
    return {
      metric: 'driftAlarms',
      value: m.driftAlarms,
      limit: gates.maxDriftAlarms,
      reason: `${m.driftAlarms} drift alarms > ${gates.maxDriftAlarms}`,
    };
  }
  const errorRate = m.errors / m.inferences;
  if (gates.maxErrorRate !== undefined && errorRate > gates.maxErrorRate) {
    return {
      metric: 'errorRate',
      value: errorRate,
      limit: gates.maxErrorRate,
      reason: `error rate ${(errorRate * 100).toFixed(1)} % > ${(gates.maxErrorRate * 100).toFixed(1)} %`,
    };
  }
  if (gates.maxP95Ms !== undefined && m.p95Ms !== null && m.p95Ms > gates.maxP95Ms) {
    return {
      metric: 'p95Ms',
      value: m.p95Ms,
      limit: gates.maxP95Ms,
      reason: `p95 latency ${m.p95Ms.toFixed(1)} ms > ${gates.maxP95Ms} ms`,
    };
  }
  return null;
}
