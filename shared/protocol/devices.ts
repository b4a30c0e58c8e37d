import { z } from 'zod';
import { HealthPointSchema } from './device-health.ts';

/** Free-form facts a device tells about itself when it enrols (user agent, hardware, …). */
export const DeviceMetadataSchema = z.record(z.string().max(100), z.unknown());

export const CreateDeviceGroupSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    description: z.string().max(5000).optional(),
  })
  .meta({ id: 'CreateDeviceGroup' });

export const DeviceGroupSchema = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    description: z.string(),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'DeviceGroup' });
export type DeviceGroup = z.infer<typeof DeviceGroupSchema>;

export const CreateEnrolmentCodeSchema = z
  .object({
    uses: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(1)
      .describe('how many devices may enrol with it; 1 = single use'),
    expiresInSeconds: z
      .number()
      .int()
      .min(1)
      .max(365 * 24 * 3600)
      .default(24 * 3600),
  })
  .meta({ id: 'CreateEnrolmentCode' });
export type CreateEnrolmentCode = z.infer<typeof CreateEnrolmentCodeSchema>;

export const EnrolmentCodeSchema = z
  .object({
    id: z.string().uuid(),
    groupId: z.string().uuid(),
    uses: z.number().int(),
    usesLeft: z.number().int(),
    expiresAt: z.string(),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: 'EnrolmentCode' });
export type EnrolmentCode = z.infer<typeof EnrolmentCodeSchema>;

/** Only the answer that creates a code carries the code; the server keeps just its hash. */
export const CreatedEnrolmentCodeSchema = EnrolmentCodeSchema.extend({
  code: z.string().describe('shown once; only its hash is stored'),
}).meta({ id: 'CreatedEnrolmentCode' });
export type CreatedEnrolmentCode = z.infer<typeof CreatedEnrolmentCodeSchema>;

export const DeviceSchema = z
  .object({
    id: z.string().uuid(),
    groupId: z.string().uuid(),
    name: z.string(),
    metadata: DeviceMetadataSchema,
    enrolledAt: z.string(),
    lastSeenAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    /** Its latest stored health (GET /devices, /devices/{id}, /devices/me); null before the first. */
    health: HealthPointSchema.nullable().optional(),
  })
  .meta({ id: 'Device' });
export type Device = z.infer<typeof DeviceSchema>;

export const EnrolRequestSchema = z
  .object({
    code: z.string().min(1).max(200),
    name: z.string().trim().min(1).max(100).optional(),
    metadata: DeviceMetadataSchema.optional(),
  })
  .meta({ id: 'EnrolRequest' });
export type EnrolRequest = z.infer<typeof EnrolRequestSchema>;

export const EnrolAnswerSchema = z
  .object({
    deviceId: z.string().uuid(),
    token: z.string().describe('the device token; shown once, only its hash is stored'),
    groupId: z.string().uuid(),
  })
  .meta({ id: 'EnrolAnswer' });
export type EnrolAnswer = z.infer<typeof EnrolAnswerSchema>;
