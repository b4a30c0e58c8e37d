import { z } from 'zod';
import {
  DeviceConfigAnswerSchema,
  DeviceConfigSchema,
  DeviceOverrideSchema,
  StoredConfigSchema,
} from '../../../shared/protocol/index.ts';
import { route } from './define.ts';

const WRITE = ['operator'] as const;
const READ = ['operator', 'scientist', 'viewer'] as const;
const TAGS = ['config'];
const IdParams = z.object({ id: z.string().uuid() });

/** Remote configuration of device groups and devices (README "Remote configuration"). */
export const configRoutes = [
  route({
    method: 'get',
    path: '/device-groups/:id/config',
    summary: "A device group's config and its version (0 and {} before the first PUT)",
    tags: TAGS,
    access: READ,
    params: IdParams,
    response: StoredConfigSchema,
    errors: [404],
    handler: ({ params, services }) => services.deviceConfig.getGroup(params.id),
  }),
  route({
    method: 'put',
    path: '/device-groups/:id/config',
    summary:
      "Replace a device group's config; the version grows by one when it changed, and every device's document gets its effective config",
    tags: TAGS,
    access: WRITE,
    params: IdParams,
    body: DeviceConfigSchema,
    response: StoredConfigSchema,
    errors: [404],
    handler: ({ params, body, principal, services }) =>
      services.deviceConfig.putGroup(params.id, body, principal?.name ?? 'unknown'),
  }),
  route({
    method: 'get',
    path: '/devices/:id/config',
    summary:
      "A device's own config, its group's, and the effective one its document carries (merged; configVersion = group + device version)",
    tags: TAGS,
    access: READ,
    params: IdParams,
    response: DeviceConfigAnswerSchema,
    errors: [404],
    handler: ({ params, services }) => services.deviceConfig.getDevice(params.id),
  }),
  route({
    method: 'put',
    path: '/devices/:id/config',
    summary:
      "Replace a device's own config (it overrides its group's key by key; detector parameters are checked merged with it)",
    tags: TAGS,
    access: WRITE,
    params: IdParams,
    body: DeviceOverrideSchema,
    response: DeviceConfigAnswerSchema,
    errors: [404],
    handler: ({ params, body, principal, services }) =>
      services.deviceConfig.putDevice(params.id, body, principal?.name ?? 'unknown'),
  }),
];
