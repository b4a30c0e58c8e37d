import { z } from 'zod';
import {
  CreateDeploymentSchema,
  DeploymentActionSchema,
  DeploymentDetailSchema,
  DeploymentEventSchema,
  DeploymentSchema,
  DeploymentStatusSchema,
  ModelVersionSchema,
} from '../../../shared/protocol/index.ts';
import { callerDevice } from '../auth/own-device.ts';
import { sendImmutable } from '../http/range.ts';
import { route } from './define.ts';
import type { Principal } from '../../../shared/protocol/index.ts';

const WRITE = ['operator'] as const;
const READ = ['operator', 'scientist', 'viewer'] as const;
const TAGS = ['deployments'];
const IdParams = z.object({ id: z.string().uuid() });
const ShaParams = z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a lower-case hex sha256') });

const actor = (p: Principal | undefined) => p?.name ?? 'unknown';

const deviceOf = (principal: Principal | undefined) => callerDevice(principal, 'fetches its deployed models here');

/** promote / pause / rollback: the same shape, one service call each. */
const action = (name: 'promote' | 'pause' | 'rollback', summary: string) =>
  route({
    method: 'post',
    path: `/deployments/:id/${name}`,
    summary,
    tags: TAGS,
    access: WRITE,
    params: IdParams,
    body: DeploymentActionSchema,
    response: DeploymentSchema,
    errors: [404, 409],
    handler: ({ params, body, principal, services }) =>
      services.deployments[name](params.id, actor(principal), body.reason),
  });

export const deploymentRoutes = [
  route({
    method: 'post',
    path: '/deployments',
    summary:
      'Deploy a model version (or the version an alias names) to a device group, at once or as a canary with rollout gates. A canary (canaryPercent < 100) needs at least one device in the group (409 otherwise); a whole-group deployment also reaches devices that enrol later',
    tags: TAGS,
    access: WRITE,
    body: CreateDeploymentSchema,
    status: 201,
    response: DeploymentSchema,
    errors: [404, 409],
    handler: ({ body, principal, services }) => services.deployments.create(body, actor(principal)),
  }),
  route({
    method: 'get',
    path: '/deployments',
    summary: 'Deployments, newest first (at most 500), optionally of one group or in one status',
    tags: TAGS,
    access: READ,
    query: z.object({ groupId: z.string().uuid().optional(), status: DeploymentStatusSchema.optional() }),
    response: z.object({ deployments: z.array(DeploymentSchema) }),
    handler: async ({ query, services }) => ({ deployments: await services.deployments.list(query) }),
  }),
  route({
    method: 'get',
    path: '/deployments/:id',
    summary: 'A deployment with its rollout progress (devices per desired and per reported model)',
    tags: TAGS,
    access: READ,
    params: IdParams,
    response: DeploymentDetailSchema,
    errors: [404],
    handler: ({ params, services }) => services.deployments.detail(params.id),
  }),
  route({
    method: 'get',
    path: '/deployments/:id/events',
    summary: 'The audit trail of a deployment: who created, promoted, paused or rolled it back, when and why',
    tags: TAGS,
    access: READ,
    params: IdParams,
    response: z.object({ events: z.array(DeploymentEventSchema) }),
    errors: [404],
    handler: async ({ params, services }) => ({ events: await services.deployments.events(params.id) }),
  }),
  action('promote', 'Promote a canary (running or paused) to the whole group'),
  action('pause', 'Pause a canary: its devices keep the new version, the rest keep the old one'),
  action('rollback', 'Roll back: every device of the group returns to the previous version'),
  route({
    method: 'get',
    path: '/devices/me/models/:sha256',
    summary:
      "A device fetches the model its group's deployment wants it to run: ETag is the sha256, Range resumes (206/416)",
    tags: ['devices'],
    access: ['device'],
    params: ShaParams,
    response: null,
    errors: [403, 409, 416],
    raw: true,
    async handler({ params, principal, services, ctx }) {
      const model = await services.deployments.deployedTo(deviceOf(principal), params.sha256);
      const v = await services.registry.getVersion(model.name, model.version);
      await sendImmutable(
        ctx,
        { sha256: v.sha256, size: v.size, open: (range) => services.registry.openArtifact(v.sha256, range) },
        `${v.name}-v${v.version}.onnx`,
      );
    },
  }),
  route({
    method: 'get',
    path: '/devices/me/models/:sha256/version',
    summary: 'The registry entry of a model deployed to this device: inputs, labels, preprocessing, reference profile',
    tags: ['devices'],
    access: ['device'],
    params: ShaParams,
    response: ModelVersionSchema,
    errors: [403],
    async handler({ params, principal, services }) {
      const model = await services.deployments.deployedTo(deviceOf(principal), params.sha256);
      return services.registry.getVersion(model.name, model.version);
    },
  }),
];
