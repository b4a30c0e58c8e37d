import { z } from 'zod';
import {
  CreateDeviceGroupSchema,
  CreatedEnrolmentCodeSchema,
  CreateEnrolmentCodeSchema,
  DeviceGroupSchema,
  DeviceSchema,
  EnrolAnswerSchema,
  EnrolmentCodeSchema,
  EnrolRequestSchema,
} from '../../../shared/protocol/index.ts';
import { callerDevice, requireOwnDevice } from '../auth/own-device.ts';
import { route } from './define.ts';

const WRITE = ['operator'] as const;
const READ = ['operator', 'scientist', 'viewer'] as const;
const TAGS = ['devices'];

const IdParams = z.object({ id: z.string().uuid() });
const DeviceListQuery = z.object({ groupId: z.string().uuid().optional() });

export const deviceRoutes = [
  route({
    method: 'post',
    path: '/device-groups',
    summary: 'Create a device group',
    tags: TAGS,
    access: WRITE,
    body: CreateDeviceGroupSchema,
    status: 201,
    response: DeviceGroupSchema,
    errors: [409],
    handler: ({ body, principal, services }) =>
      services.devices.createGroup(body.name, body.description ?? '', principal?.name ?? null),
  }),
  route({
    method: 'get',
    path: '/device-groups',
    summary: 'List device groups',
    tags: TAGS,
    access: READ,
    response: z.array(DeviceGroupSchema),
    handler: ({ services }) => services.devices.listGroups(),
  }),
  route({
    method: 'post',
    path: '/device-groups/:id/enrolment-codes',
    summary: 'Create an enrolment code for a group (N uses, expiring); the code is in this answer only',
    tags: TAGS,
    access: WRITE,
    params: IdParams,
    body: CreateEnrolmentCodeSchema,
    status: 201,
    response: CreatedEnrolmentCodeSchema,
    handler: ({ params, body, principal, services }) =>
      services.devices.createCode(params.id, body, principal?.name ?? null),
  }),
  route({
    method: 'get',
    path: '/device-groups/:id/enrolment-codes',
    summary: "List a group's enrolment codes (without the codes themselves)",
    tags: TAGS,
    access: WRITE,
    params: IdParams,
    response: z.array(EnrolmentCodeSchema),
    handler: ({ params, services }) => services.devices.listCodes(params.id),
  }),
  route({
    method: 'delete',
    path: '/enrolment-codes/:id',
    summary: 'Revoke an enrolment code',
    tags: TAGS,
    access: WRITE,
    params: IdParams,
    response: EnrolmentCodeSchema,
    handler: ({ params, services }) => services.devices.revokeCode(params.id),
  }),
  route({
    method: 'post',
    path: '/devices/enrol',
    summary: 'Enrol a device with an enrolment code; the device token is in this answer only',
    tags: TAGS,
    // The code is the credential: an unknown one is a 401, a revoked, expired or used-up one a 403.
    access: 'public',
    body: EnrolRequestSchema,
    status: 201,
    response: EnrolAnswerSchema,
    errors: [401, 403],
    handler: ({ body, services }) => services.devices.enrol(body.code, body.name, body.metadata),
  }),
  route({
    method: 'get',
    path: '/devices',
    summary: 'List devices, optionally of one group',
    tags: TAGS,
    access: READ,
    query: DeviceListQuery,
    response: z.array(DeviceSchema),
    handler: async ({ query, services }) =>
      services.deviceHealth.withLatest(await services.devices.listDevices(query.groupId)),
  }),
  // Registered before /devices/:id, which would otherwise take "me" as an id.
  route({
    method: 'get',
    path: '/devices/me',
    summary: "The calling device's own record (device tokens only)",
    tags: TAGS,
    access: ['device'],
    response: DeviceSchema,
    handler: ({ principal, services }) => {
      return services.devices
        .getDevice(callerDevice(principal, 'has an own device'))
        .then((d) => services.deviceHealth.withLatest(d));
    },
  }),
  route({
    method: 'get',
    path: '/devices/:id',
    summary: 'One device; a device token may read only itself',
    tags: TAGS,
    access: [...READ, 'device'],
    params: IdParams,
    response: DeviceSchema,
    handler: ({ params, principal, services }) => {
      requireOwnDevice(principal, params.id);
      return services.devices.getDevice(params.id).then((d) => services.deviceHealth.withLatest(d));
    },
  }),
  route({
    method: 'delete',
    path: '/devices/:id',
    summary: 'Revoke a device and its token; its requests then get 401',
    tags: TAGS,
    access: WRITE,
    params: IdParams,
    response: DeviceSchema,
    handler: ({ params, services }) => services.devices.revokeDevice(params.id),
  }),
];
