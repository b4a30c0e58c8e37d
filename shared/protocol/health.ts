import { z } from 'zod';

/** DESIGN §6: `GET /healthz`. */
export const HealthSchema = z
  .object({
    status: z.literal('ok'),
    db: z.enum(['pglite', 'postgres']),
    blobs: z.enum(['fs', 's3']),
  })
  .meta({ id: 'Health' });

export type Health = z.infer<typeof HealthSchema>;
