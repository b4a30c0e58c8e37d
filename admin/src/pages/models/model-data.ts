import { z } from 'zod';
import {
  AliasEventSchema,
  ModelVersionSchema,
  page,
  RegisteredModelSchema,
} from '../../../../shared/protocol/index.ts';

export const ModelPageSchema = page(RegisteredModelSchema, 'RegisteredModelPage');
export const VersionPageSchema = page(ModelVersionSchema, 'ModelVersionPage');
export const AliasHistorySchema = z.object({ items: z.array(AliasEventSchema) });

/** Numbers worth comparing out of a version's metadata (training results and the like), dotted keys. */
export function numericFacts(value: unknown, prefix = '', out: Record<string, number> = {}): Record<string, number> {
  if (typeof value === 'number' && prefix) out[prefix] = value;
  else if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) {
      // The reference profile is compared feature by feature on the drift page, not as a flat list.
      if (k === 'referenceProfile' || k === 'preprocessing') continue;
      numericFacts(v, prefix ? `${prefix}.${k}` : k, out);
    }
  }
  return out;
}
