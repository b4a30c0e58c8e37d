import { z } from 'zod';

export const ROLES = ['admin', 'scientist', 'operator', 'viewer'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

/** The longest a token may be made to last (10 years): past that, "no expiry" is the honest choice. */
export const MAX_TOKEN_DAYS = 3650;

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
    expiresAt: z.iso
      .datetime({ offset: true })
      .optional()
      .describe(`when the token stops working: a time in the future, at most ${MAX_TOKEN_DAYS} days ahead`),
    expiresInDays: z
      .number()
      .int()
      .min(1)
      .max(MAX_TOKEN_DAYS)
      .optional()
      .describe('the same, counted in days from now'),
  })
  .refine((b) => b.expiresAt === undefined || b.expiresInDays === undefined, {
    message: 'give expiresAt or expiresInDays, not both',
    path: ['expiresInDays'],
  })
  .meta({ id: 'CreateToken' });
export type CreateToken = z.infer<typeof CreateTokenSchema>;

export const CreatedTokenSchema = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    role: RoleSchema,
    token: z.string().describe('shown once; only its hash is stored'),
    createdAt: z.string(),
    expiresAt: z.string().nullable().describe('null: the token does not expire'),
  })
  .meta({ id: 'CreatedToken' });
export type CreatedToken = z.infer<typeof CreatedTokenSchema>;

/** A person's or a program's token as GET /tokens lists it: never its secret. Device tokens are not listed. */
export const TokenSchema = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    role: RoleSchema,
    createdAt: z.string(),
    lastUsedAt: z.string().nullable().describe('to the minute: refreshed at most once a minute'),
    expiresAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    bootstrap: z.boolean().describe('made by ADMIN_TOKEN or by the first start; a new ADMIN_TOKEN revokes it'),
  })
  .meta({ id: 'Token' });
export type Token = z.infer<typeof TokenSchema>;

export const TokenListSchema = z.object({ tokens: z.array(TokenSchema) }).meta({ id: 'TokenList' });

/** What a token's row says now: the console and the CLI show this. */
export function tokenStatus(
  t: Pick<Token, 'expiresAt' | 'revokedAt'>,
  now = Date.now(),
): 'active' | 'expired' | 'revoked' {
  if (t.revokedAt) return 'revoked';
  if (t.expiresAt && Date.parse(t.expiresAt) <= now) return 'expired';
  return 'active';
}
