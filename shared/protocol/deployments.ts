import { z } from 'zod';
import { PositiveInt4Schema } from './input-bounds.ts';

/**
 * Deployments: a model version assigned to a device group, all at once or as a canary (a stable,
 * hash-chosen share of the group), then promoted or rolled back — by a person or by a rollout gate.
 */

export const DeploymentModelSchema = z
  .object({ name: z.string(), version: z.number().int(), sha256: z.string() })
  .meta({ id: 'DeploymentModel' });
export type DeploymentModel = z.infer<typeof DeploymentModelSchema>;

export const GatesSchema = z
  .object({
    maxDriftAlarms: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe(
        'records with a drift alarm (warnings do not count) one canary device may report on the version before the gate trips',
      ),
    maxErrorRate: z.number().min(0).max(1).optional().describe('failed / total inferences on one canary device'),
    maxP95Ms: z.number().positive().optional().describe('p95 inference latency on one canary device'),
    minInferences: z
      .number()
      .int()
      .min(1)
      .default(20)
      .describe('a device is judged only after this many inferences on the new version'),
    onTrip: z.enum(['pause', 'rollback']).default('rollback'),
  })
  .meta({ id: 'RolloutGates' });
export type Gates = z.infer<typeof GatesSchema>;

export const CreateDeploymentSchema = z
  .object({
    groupId: z.string().uuid(),
    model: z
      .object({
        name: z.string().min(1).max(200),
        version: PositiveInt4Schema.optional(),
        alias: z.string().min(1).max(64).optional(),
      })
      .refine(
        (m) => (m.version === undefined) !== (m.alias === undefined),
        'give exactly one of "version" and "alias"',
      ),
    canaryPercent: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(100)
      .describe('100 (the default) deploys to every device at once'),
    gates: GatesSchema.optional(),
    reason: z.string().max(2000).optional(),
  })
  .meta({ id: 'CreateDeployment' });
export type CreateDeployment = z.infer<typeof CreateDeploymentSchema>;

export const DeploymentStatusSchema = z.enum(['canary', 'paused', 'active', 'rolled_back', 'superseded']);
export type DeploymentStatus = z.infer<typeof DeploymentStatusSchema>;

export const DeploymentSchema = z
  .object({
    id: z.string().uuid(),
    groupId: z.string().uuid(),
    model: DeploymentModelSchema,
    alias: z.string().nullable().describe('the alias the version was chosen by, if any (resolved once, at deployment)'),
    strategy: z.enum(['all', 'canary']),
    canaryPercent: z.number().int(),
    canaryDevices: z.array(z.string().uuid()),
    gates: GatesSchema.nullable(),
    status: DeploymentStatusSchema,
    previous: DeploymentModelSchema.nullable().describe(
      'what the devices outside the canary run, and what a rollback returns to',
    ),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Deployment' });
export type Deployment = z.infer<typeof DeploymentSchema>;

export const DeploymentProgressSchema = z
  .object({
    devices: z.number().int(),
    /** Devices per model the server wants them to run, keyed `name@version` (`none` for no model). */
    desired: z.record(z.string(), z.number().int()),
    /** Devices per model they last reported running, keyed `name@version` (`unknown` before a report). */
    reported: z.record(z.string(), z.number().int()),
  })
  .meta({ id: 'DeploymentProgress' });
export type DeploymentProgress = z.infer<typeof DeploymentProgressSchema>;

export const DeploymentDetailSchema = DeploymentSchema.extend({ progress: DeploymentProgressSchema }).meta({
  id: 'DeploymentDetail',
});
export type DeploymentDetail = z.infer<typeof DeploymentDetailSchema>;

export const DeploymentActionSchema = z
  .object({ reason: z.string().max(2000).optional() })
  .meta({ id: 'DeploymentAction' });

export const DeploymentEventSchema = z
  .object({
    deploymentId: z.string().uuid(),
    action: z.enum(['created', 'promoted', 'paused', 'rolled_back', 'superseded', 'gate_tripped']),
    actor: z.string().describe('who: a token name, or "gate" for an automatic decision'),
    reason: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
    at: z.string(),
  })
  .meta({ id: 'DeploymentEvent' });
export type DeploymentEvent = z.infer<typeof DeploymentEventSchema>;

export const modelKey = (m: { name: string; version: number | string }) => `${m.name}@${m.version}`;
