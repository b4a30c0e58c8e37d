import { z } from 'zod';
import {
  AliasEventSchema,
  AliasSchema,
  ModelNameSchema,
  ModelVersionSchema,
  page,
  PageQuerySchema,
  RegisteredModelSchema,
  TagsSchema,
  UploadedVersionSchema,
  VersionMetadataSchema,
  StageSchema,
  INT4_MAX,
  isInt4Digits,
  PositiveInt4Schema,
} from '../../../shared/protocol/index.ts';
import { HttpError } from '../http/errors.ts';
import { parseMultipart } from '../http/multipart.ts';
import { sendImmutable } from '../http/range.ts';
import { parseJson } from '../http/json-body.ts';
import { checkInput } from '../http/route.ts';
import type { IncomingMessage } from 'node:http';
import type { ReferenceInput } from '../services/registry/reference.ts';
import { route } from './define.ts';
import type { StagedFile } from '../services/registry/staging.ts';
import type { RouteServices } from '../services/index.ts';

const WRITE = ['scientist'] as const;
const READ = ['scientist', 'operator', 'viewer'] as const;
const MAX_METADATA_BYTES = 8 * 1024 * 1024;

const NameParams = z.object({ name: ModelNameSchema });
const VersionRef = z
  .string()
  .regex(/^(\d+|[A-Za-z][A-Za-z0-9_-]{0,63})$/, 'a version number or an alias')
  .refine((v) => !/^\d/.test(v) || isInt4Digits(v), `a version number is at most ${INT4_MAX}`);
const VersionParams = z.object({ name: ModelNameSchema, version: VersionRef });
const AliasParams = z.object({ name: ModelNameSchema, alias: AliasSchema });
const ModelPatch = z.object({
  description: z.string().max(5000).optional(),
  tags: TagsSchema.optional(),
  removeTags: z.array(z.string()).optional(),
});

function parseMetadata(text: string | undefined) {
  if (text === undefined) return undefined;
  const json = parseJson(text, 'the "metadata" field');
  checkInput(json, '"metadata"');
  const parsed = VersionMetadataSchema.safeParse(json);
  if (!parsed.success)
    throw HttpError.of(
      'validation_failed',
      `invalid "metadata": ${z.prettifyError(parsed.error)}`,
      parsed.error.issues,
    );
  return parsed.data;
}

function parseUpload(ctx: { req: IncomingMessage }, services: RouteServices, files: string[], fields: string[]) {
  return parseMultipart(ctx.req, {
    files,
    fields,
    maxFileBytes: services.uploads.maxBytes,
    maxFieldBytes: MAX_METADATA_BYTES,
    stagingDir: services.uploads.stagingDir,
  });
}

function referenceInput(file: StagedFile | undefined, labelColumn: string | undefined): { reference?: ReferenceInput } {
  if (labelColumn !== undefined) checkInput(labelColumn, '"labelColumn"');
  if (labelColumn !== undefined && !file)
    throw HttpError.of(
      'bad_request',
      '"labelColumn" names a column of the reference CSV, but no "reference" file was sent',
    );
  if (!file) return {};
  const label = labelColumn?.trim();
  if (label && label.length > 200)
    throw HttpError.of(
      'bad_request',
      '"labelColumn" is longer than 200 characters; it names one column of the reference CSV',
    );
  return { reference: { file, ...(label ? { labelColumn: label } : {}) } };
}

/** OpenAPI of a multipart body whose `file` part is required. */
function multipartWithFile(properties: Record<string, { type: 'string'; format?: 'binary'; description: string }>) {
  return { contentType: 'multipart/form-data', schema: { type: 'object', required: ['file'], properties } };
}

const removeAll = (files: Record<string, StagedFile>) => Promise.all(Object.values(files).map((f) => f.remove()));

export const modelRoutes = [
  route({
    method: 'post',
    path: '/models/:name/versions',
    summary: 'Upload an ONNX model as the next version of NAME (creating the registered model)',
    tags: ['registry'],
    access: WRITE,
    params: NameParams,
    status: 201,
    response: UploadedVersionSchema,
    errors: [413, 415],
    requestBody: multipartWithFile({
      file: { type: 'string', format: 'binary', description: 'the .onnx file' },
      metadata: { type: 'string', description: 'JSON: VersionMetadata' },
      reference: {
        type: 'string',
        format: 'binary',
        description: 'training CSV: becomes metadata.referenceProfile (columns matched to metadata.features by name)',
      },
      labelColumn: {
        type: 'string',
        description: 'column of the reference CSV holding true labels (the class profile)',
      },
    }),
    async handler({ params, services, principal, ctx }) {
      const upload = await parseUpload(ctx, services, ['file', 'reference'], ['metadata', 'labelColumn']);
      const { file, reference } = upload.files;
      try {
        if (!file) throw HttpError.of('bad_request', 'the multipart field "file" (the ONNX model) is missing');
        const metadata = parseMetadata(upload.fields.metadata);
        const v = await services.registry.registerVersion({
          name: params.name,
          file,
          ...(metadata ? { metadata } : {}),
          ...referenceInput(reference, upload.fields.labelColumn),
          ...(principal ? { createdBy: principal.name } : {}),
        });
        ctx.set('Location', `/api/v1/models/${v.name}/versions/${v.version}`);
        return {
          name: v.name,
          version: v.version,
          sha256: v.sha256,
          size: v.size,
          opset: v.opset,
          producer: v.producer,
          inputs: v.inputs,
          outputs: v.outputs,
        };
      } finally {
        await removeAll(upload.files);
      }
    },
  }),
  route({
    method: 'put',
    path: '/models/:name/versions/:version/reference',
    summary: "Add or replace a version's reference profile, built from a training CSV",
    tags: ['registry'],
    access: WRITE,
    params: VersionParams,
    response: ModelVersionSchema,
    errors: [404, 413, 415],
    requestBody: multipartWithFile({
      file: {
        type: 'string',
        format: 'binary',
        description: "training CSV; columns matched to the version's features by name",
      },
      labelColumn: { type: 'string', description: 'column holding true labels (the class profile)' },
    }),
    async handler({ params, services, ctx }) {
      const upload = await parseUpload(ctx, services, ['file'], ['labelColumn']);
      try {
        const file = upload.files.file;
        if (!file) throw HttpError.of('bad_request', 'the multipart field "file" (the training CSV) is missing');
        return await services.registry.setReference(
          params.name,
          params.version,
          referenceInput(file, upload.fields.labelColumn).reference!,
        );
      } finally {
        await removeAll(upload.files);
      }
    },
  }),
  route({
    method: 'get',
    path: '/models',
    summary: 'List registered models, optionally searching name and description',
    tags: ['registry'],
    access: READ,
    query: PageQuerySchema.extend({ search: z.string().max(200).optional() }),
    response: page(RegisteredModelSchema, 'RegisteredModelPage'),
    handler: ({ query, services }) => services.registry.listModels(query),
  }),
  route({
    method: 'get',
    path: '/models/:name',
    summary: 'A registered model with its aliases',
    tags: ['registry'],
    access: READ,
    params: NameParams,
    response: RegisteredModelSchema,
    errors: [404],
    handler: ({ params, services }) => services.registry.getModel(params.name),
  }),
  route({
    method: 'patch',
    path: '/models/:name',
    summary: 'Update description and tags',
    tags: ['registry'],
    access: WRITE,
    params: NameParams,
    body: ModelPatch,
    response: RegisteredModelSchema,
    errors: [404],
    handler: ({ params, body, services }) => services.registry.updateModel(params.name, body),
  }),
  route({
    method: 'delete',
    path: '/models/:name',
    summary: 'Delete a registered model and its versions',
    tags: ['registry'],
    access: WRITE,
    params: NameParams,
    status: 204,
    response: null,
    errors: [404, 409],
    handler: ({ params, services }) => services.registry.deleteModel(params.name),
  }),
  route({
    method: 'get',
    path: '/models/:name/versions',
    summary: 'Versions of a model, newest first',
    tags: ['registry'],
    access: READ,
    params: NameParams,
    query: PageQuerySchema,
    response: page(ModelVersionSchema, 'ModelVersionPage'),
    errors: [404],
    handler: ({ params, query, services }) => services.registry.listVersions(params.name, query),
  }),
  route({
    method: 'get',
    path: '/models/:name/versions/:version',
    summary: 'One version (by number or alias)',
    tags: ['registry'],
    access: READ,
    params: VersionParams,
    response: ModelVersionSchema,
    errors: [404],
    handler: ({ params, services }) => services.registry.getVersion(params.name, params.version),
  }),
  route({
    method: 'patch',
    path: '/models/:name/versions/:version',
    summary: 'Update description, tags or stage of a version',
    tags: ['registry'],
    access: WRITE,
    params: VersionParams,
    body: ModelPatch.extend({ stage: StageSchema.optional(), archiveExisting: z.boolean().optional() }),
    response: ModelVersionSchema,
    errors: [404],
    handler: ({ params, body, services }) => services.registry.updateVersion(params.name, params.version, body),
  }),
  route({
    method: 'delete',
    path: '/models/:name/versions/:version',
    summary: 'Delete a version (its bytes go when no other version shares them)',
    tags: ['registry'],
    access: WRITE,
    params: VersionParams,
    status: 204,
    response: null,
    errors: [404, 409],
    handler: ({ params, services }) => services.registry.deleteVersion(params.name, params.version),
  }),
  route({
    method: 'get',
    path: '/models/:name/versions/:version/artifact',
    summary: 'The ONNX bytes: ETag is the sha256; Range (206/416) and If-None-Match (304) supported',
    tags: ['registry'],
    access: READ,
    params: VersionParams,
    response: null,
    errors: [404, 409, 416],
    raw: true,
    async handler({ params, services, ctx }) {
      const v = await services.registry.getVersion(params.name, params.version);
      await sendImmutable(
        ctx,
        { sha256: v.sha256, size: v.size, open: (range) => services.registry.openArtifact(v.sha256, range) },
        `${v.name}-v${v.version}.onnx`,
      );
    },
  }),
  route({
    method: 'put',
    path: '/models/:name/aliases/:alias',
    summary: 'Point an alias (e.g. champion) at a version; the move is recorded',
    tags: ['registry'],
    access: WRITE,
    params: AliasParams,
    body: z.object({ version: PositiveInt4Schema }),
    response: RegisteredModelSchema,
    errors: [404],
    async handler({ params, body, services, principal }) {
      await services.registry.setAlias(params.name, params.alias, body.version, principal?.name);
      return services.registry.getModel(params.name);
    },
  }),
  route({
    method: 'delete',
    path: '/models/:name/aliases/:alias',
    summary: 'Remove an alias; the removal is recorded',
    tags: ['registry'],
    access: WRITE,
    params: AliasParams,
    status: 204,
    response: null,
    errors: [404],
    handler: ({ params, services, principal }) =>
      services.registry.deleteAlias(params.name, params.alias, principal?.name),
  }),
  route({
    method: 'get',
    path: '/models/:name/alias-history',
    summary: 'Every move of the aliases, oldest first: what was in production when',
    tags: ['registry'],
    access: READ,
    params: NameParams,
    query: z.object({ alias: AliasSchema.optional() }),
    response: z.object({ items: z.array(AliasEventSchema) }),
    errors: [404],
    handler: async ({ params, query, services }) => ({
      items: await services.registry.aliasHistory(params.name, query.alias),
    }),
  }),
];
