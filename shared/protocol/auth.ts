import { z } from 'zod';

export const ROLES = ['admin', 'scientist', 'operator', 'viewer'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

export const PrincipalSchema = z
  .object({
    tokenId: z.string().uuid(),
    name: z.string(),
    role: z.union([RoleSchema, z.literal('device')]),
    deviceId: z.string().uuid().optional().describe('set for device tokens: the device they belong to'),
  })
  .meta({ id: 'Principal' });
export type Principal = z.infer<typeof PrincipalSchema>;

export const CreateTokenSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    role: RoleSchema,
  })
  .meta({ id: 'CreateToken' });

export const CreatedTokenSchema = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    role: RoleSchema,
    token: z.string().describe('shown once; only its hash is stored'),
    createdAt: z.string(),
  })
  .meta({ id: 'CreatedToken' });
export type CreatedToken = z.infer<typeof CreatedTokenSchema>;
