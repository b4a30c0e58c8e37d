import { z } from 'zod';

/** Model names travel in URL paths and blob keys: letters, digits, '.', '_', '-'; up to 128. */
export const ModelNameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
    'a model name is 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit',
  );

export const AliasSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'an alias is 1-64 letters, digits, "_" or "-", starting with a letter')
  .refine((a) => !/^v\d+$/i.test(a), 'an alias may not look like a version ("v1")');

export const TagsSchema = z.record(z.string().min(1).max(250), z.string().max(5000));

export const OnnxValueInfoSchema = z.object({
  name: z.string(),
  type: z.string().describe("ONNX element type in lower case: 'float32', 'int64', …"),
  shape: z
    .array(z.union([z.number().int(), z.string(), z.null()]))
    .nullable()
    .describe('symbolic dimensions as strings, unnamed ones null'),
});

export const StageSchema = z.enum(['None', 'Staging', 'Production', 'Archived']);

/** Optional JSON that travels with an uploaded model (multipart field `metadata`). */
export const VersionMetadataSchema = z
  .object({
    classLabels: z.array(z.string()).optional(),
    features: z.array(z.string()).optional(),
    preprocessing: z.record(z.string(), z.unknown()).optional(),
    inputSchema: z
      .array(z.object({ name: z.string(), kind: z.enum(['numeric', 'categorical']) }).passthrough())
      .optional(),
    referenceProfile: z.record(z.string(), z.unknown()).optional(),
    description: z.string().max(5000).optional(),
    tags: TagsSchema.optional(),
    runId: z.string().max(64).optional(),
  })
  .passthrough()
  .meta({ id: 'VersionMetadata' });
export type VersionMetadata = z.infer<typeof VersionMetadataSchema>;

/** The answer to an upload (issue contract): what was stored and what the ONNX graph declares. */
export const UploadedVersionSchema = z
  .object({
    name: z.string(),
    version: z.number().int(),
    sha256: z.string(),
    size: z.number().int(),
    opset: z.number().int(),
    producer: z.string(),
    inputs: z.array(OnnxValueInfoSchema),
    outputs: z.array(OnnxValueInfoSchema),
  })
  .meta({ id: 'UploadedVersion' });

export const ModelVersionSchema = UploadedVersionSchema.extend({
  description: z.string(),
  tags: TagsSchema,
  stage: StageSchema,
  aliases: z.array(z.string()),
  metadata: VersionMetadataSchema,
  source: z.string().nullable(),
  runId: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).meta({ id: 'ModelVersion' });
export type ModelVersion = z.infer<typeof ModelVersionSchema>;

export const RegisteredModelSchema = z
  .object({
    name: z.string(),
    description: z.string(),
    tags: TagsSchema,
    aliases: z.record(z.string(), z.number().int()),
    latestVersion: z.number().int().nullable(),
    versionCount: z.number().int(),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'RegisteredModel' });
export type RegisteredModel = z.infer<typeof RegisteredModelSchema>;

export const PageQuerySchema = z.object({
  pageSize: z.coerce.number().int().min(1).max(1000).default(100),
  pageToken: z.string().max(512).optional(),
});

export const page = <T extends z.ZodType>(item: T, id: string) =>
  z.object({ items: z.array(item), nextPageToken: z.string().nullable() }).meta({ id });

export const AliasEventSchema = z
  .object({
    alias: z.string(),
    version: z.number().int().nullable().describe('null: the alias was removed'),
    previousVersion: z.number().int().nullable(),
    changedBy: z.string().nullable(),
    changedAt: z.string(),
  })
  .meta({ id: 'AliasEvent' });
