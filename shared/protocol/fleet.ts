import { z } from 'zod';

/** What the fleet looks like now: enrolled devices, who is online, and what they have logged. */
export const FleetSummarySchema = z
  .object({
    /** Devices not revoked. */
    devices: z.number().int(),
    /** Devices not revoked whose token was used recently (see the server's online window). */
    online: z.number().int(),
    /** Inference records stored. */
    records: z.number().int(),
    /** Records per model version, keyed `<name>@<version>`. */
    byModelVersion: z.record(z.string(), z.number().int()),
    /** Records that raised a drift alarm. */
    driftAlarms: z.number().int(),
  })
  .meta({ id: 'FleetSummary' });

export type FleetSummary = z.infer<typeof FleetSummarySchema>;
