import { z } from 'zod';
import {
  AliasSchema,
  Int4DigitsSchema,
  ModelNameSchema,
  type ModelVersion,
  type RegisteredModel,
} from '../../../../shared/protocol/index.ts';
import { mlflowError } from '../../http/mlflow-errors.ts';
import { InUseError } from '../../services/deployments/in-use.ts';
import { Conflict, NotFound } from '../../services/errors.ts';
import type { RouteServices } from '../../services/index.ts';
import { type AppRoute, route } from '../define.ts';
import { parseRegistryFilter } from './registry-filter.ts';
import { int64, keyValue, list, READ, str, WRITE } from './shared.ts';

/*
 * MLflow's model-registry API over TinySphere's one registry: a version registered here is the same
 * version /api/v1 and the devices see. Versions are strings in MLflow's JSON.
 */
const tags = ['mlflow model registry'];
const STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;
const kv = (o: Record<string, string>) => Object.entries(o).map(([key, value]) => ({ key, value }));
const ms = (iso: string) => Date.parse(iso);
const stage = z.preprocess(
  (v) => (typeof v === 'string' ? (STAGES.find((s) => s.toLowerCase() === v.toLowerCase()) ?? v) : v),
  z.enum(STAGES),
);
// Names and aliases follow /api/v1's schemas, so whatever one API accepts the other can address.
const name = str.pipe(ModelNameSchema);
const alias = str.pipe(AliasSchema);
const version = z.preprocess((v) => (typeof v === 'number' ? String(v) : v), Int4DigitsSchema);

function mlflowVersion(v: ModelVersion) {
  return {
    name: v.name,
    version: String(v.version),
    creation_timestamp: ms(v.createdAt),
    last_updated_timestamp: ms(v.updatedAt),
    user_id: v.createdBy ?? '',
    current_stage: v.stage,
    description: v.description,
    source: v.source ?? `models:/${v.name}/${v.version}`,
    run_id: v.runId ?? '',
    status: 'READY',
    tags: kv(v.tags),
    aliases: v.aliases,
  };
}

async function mlflowModel(services: RouteServices, m: RegisteredModel) {
  const latest = await latestVersions(services, m.name, []);
  return {
    name: m.name,
    creation_timestamp: ms(m.createdAt),
    last_updated_timestamp: ms(m.updatedAt),
    user_id: m.createdBy ?? '',
    description: m.description,
    latest_versions: latest,
    tags: kv(m.tags),
    aliases: Object.entries(m.aliases).map(([alias, v]) => ({ alias, version: String(v) })),
  };
}

/** The newest version per stage (all stages when `stages` is empty), as MLflow defines it. */
async function latestVersions(services: RouteServices, name: string, stages: string[]) {
  const all = await services.registry.searchVersions({ name, limit: 100_000, offset: 0 });
  const byStage = new Map<string, ModelVersion>();
  for (const v of all)
    if (!byStage.has(v.stage) && (!stages.length || stages.some((s) => s.toLowerCase() === v.stage.toLowerCase())))
      byStage.set(v.stage, v);
  return [...byStage.values()].sort((a, b) => a.version - b.version).map(mlflowVersion);
}

/** A change refused because a device group runs the model (or would roll back to it): MLflow's RESOURCE_CONFLICT, 409. */
async function unlessDeployed<T>(change: Promise<T>): Promise<T> {
  try {
    return await change;
  } catch (err) {
    if (err instanceof InUseError) throw mlflowError('RESOURCE_CONFLICT', err.message);
    throw err;
  }
}

async function existing(services: RouteServices, name: string): Promise<RegisteredModel> {
  try {
    return await services.registry.getModel(name);
  } catch (err) {
    if (err instanceof NotFound)
      throw mlflowError('RESOURCE_DOES_NOT_EXIST', `Registered Model with name=${name} not found`);
    throw err;
  }
}

/** Offset page tokens, opaque to clients. */
const token = (offset: number) => Buffer.from(JSON.stringify({ offset })).toString('base64url');
function offsetOf(t: string | undefined): number {
  if (!t) return 0;
  try {
    const { offset } = JSON.parse(Buffer.from(t, 'base64url').toString()) as { offset: unknown };
    if (Number.isInteger(offset) && (offset as number) >= 0) return offset as number;
  } catch {
    /* below */
  }
  throw mlflowError('INVALID_PARAMETER_VALUE', `Invalid page token '${t}'`);
}

type Spec<I> = {
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  summary: string;
  input: z.ZodType<I>;
  write?: boolean;
  response?: z.ZodType;
  handler(services: RouteServices, input: I, principal: string | undefined): Promise<unknown>;
};
function r<I>(spec: Spec<I>): AppRoute {
  const input = spec.method === 'get' ? { query: spec.input } : { body: z.preprocess((v) => v ?? {}, spec.input) };
  return route({
    method: spec.method,
    path: spec.path,
    summary: spec.summary,
    tags,
    access: spec.write ? WRITE : READ,
    ...input,
    response: spec.response ?? z.record(z.string(), z.unknown()),
    errors: [404],
    handler: ({ query, body, services, principal }) =>
      spec.handler(services, (spec.method === 'get' ? query : body) as I, principal?.name),
  });
}

const Name = z.object({ name });
const NameVersion = z.object({ name, version });
const Search = z.object({
  filter: str.optional(),
  max_results: int64.optional(),
  page_token: str.optional(),
  order_by: list.optional(),
});

async function search<T>(
  input: z.infer<typeof Search>,
  fetch: (f: ReturnType<typeof parseRegistryFilter>, limit: number, offset: number) => Promise<T[]>,
) {
  const max = input.max_results ?? 100;
  if (max < 1 || max > 1000)
    throw mlflowError(
      'INVALID_PARAMETER_VALUE',
      `Invalid value ${max} for parameter 'max_results' supplied. It must be at most 1000.`,
    );
  const offset = offsetOf(input.page_token);
  const rows = await fetch(parseRegistryFilter(input.filter), max + 1, offset);
  return { items: rows.slice(0, max), next: rows.length > max ? token(offset + max) : undefined };
}

export const mlflowRegistryRoutes: AppRoute[] = [
  r({
    method: 'post',
    path: '/registered-models/create',
    summary: 'Create a registered model (RESOURCE_ALREADY_EXISTS when taken)',
    write: true,
    input: z.object({
      name: str.pipe(z.string().min(1, "Missing value for required parameter 'name'.")).pipe(ModelNameSchema),
      description: z.string().nullish(),
      tags: z.array(keyValue).nullish(),
    }),
    async handler(services, input, by) {
      try {
        const m = await services.registry.createModel(input.name, {
          description: input.description ?? '',
          tags: Object.fromEntries((input.tags ?? []).map((t) => [t.key, t.value])),
          ...(by ? { createdBy: by } : {}),
        });
        return { registered_model: await mlflowModel(services, m) };
      } catch (err) {
        if (err instanceof Conflict)
          throw mlflowError('RESOURCE_ALREADY_EXISTS', `Registered Model (name=${input.name}) already exists.`);
        throw err;
      }
    },
  }),
  r({
    method: 'get',
    path: '/registered-models/get',
    summary: 'Get a registered model',
    input: Name,
    handler: async (s, i) => ({ registered_model: await mlflowModel(s, await existing(s, i.name)) }),
  }),
  r({
    method: 'post',
    path: '/registered-models/rename',
    summary: 'Rename a registered model',
    write: true,
    input: z.object({ name, new_name: name }),
    async handler(s, i) {
      await existing(s, i.name);
      try {
        return {
          registered_model: await mlflowModel(s, await unlessDeployed(s.registry.renameModel(i.name, i.new_name))),
        };
      } catch (err) {
        if (err instanceof Conflict)
          throw mlflowError('RESOURCE_ALREADY_EXISTS', `Registered Model (name=${i.new_name}) already exists.`);
        throw err;
      }
    },
  }),
  r({
    method: 'patch',
    path: '/registered-models/update',
    summary: 'Update the description',
    write: true,
    input: z.object({ name, description: z.string().nullish() }),
    handler: async (s, i) => (
      await existing(s, i.name),
      {
        registered_model: await mlflowModel(
          s,
          await s.registry.updateModel(i.name, { description: i.description ?? '' }),
        ),
      }
    ),
  }),
  r({
    method: 'delete',
    path: '/registered-models/delete',
    summary: 'Delete a registered model and its versions',
    write: true,
    input: Name,
    handler: async (s, i) => (await existing(s, i.name), await unlessDeployed(s.registry.deleteModel(i.name)), {}),
  }),
  ...(['get', 'post'] as const).map((method) =>
    r({
      method,
      path: '/registered-models/search',
      summary: "Search registered models (filter: name = / LIKE / ILIKE 'pattern')",
      input: Search,
      async handler(s, i) {
        const page = await search(i, (f, limit, offset) => s.registry.searchModels({ ...f.model, limit, offset }));
        return {
          registered_models: await Promise.all(page.items.map((m) => mlflowModel(s, m))),
          ...(page.next ? { next_page_token: page.next } : {}),
        };
      },
    }),
  ),
  ...(['get', 'post'] as const).map((method) =>
    r({
      method,
      path: '/registered-models/get-latest-versions',
      summary: 'Newest version per stage',
      input: z.object({ name, stages: list.optional() }),
      handler: async (s, i) => (
        await existing(s, i.name), { model_versions: await latestVersions(s, i.name, i.stages ?? []) }
      ),
    }),
  ),
  r({
    method: 'post',
    path: '/registered-models/set-tag',
    summary: 'Set a tag on a registered model',
    write: true,
    input: z.object({ name, key: z.string().min(1), value: z.string() }),
    handler: async (s, i) => (
      await existing(s, i.name), await s.registry.updateModel(i.name, { tags: { [i.key]: i.value } }), {}
    ),
  }),
  r({
    method: 'delete',
    path: '/registered-models/delete-tag',
    summary: 'Delete a tag of a registered model',
    write: true,
    input: z.object({ name, key: z.string().min(1) }),
    handler: async (s, i) => (
      await existing(s, i.name), await s.registry.updateModel(i.name, { removeTags: [i.key] }), {}
    ),
  }),
  r({
    method: 'post',
    path: '/registered-models/alias',
    summary: 'Point an alias at a version',
    write: true,
    input: z.object({ name, alias, version }),
    handler: async (s, i, by) => (
      await existing(s, i.name), await s.registry.setAlias(i.name, i.alias, Number(i.version), by), {}
    ),
  }),
  r({
    method: 'delete',
    path: '/registered-models/alias',
    summary: 'Remove an alias',
    write: true,
    input: z.object({ name, alias }),
    handler: async (s, i, by) => (await existing(s, i.name), await s.registry.deleteAlias(i.name, i.alias, by), {}),
  }),
  r({
    method: 'get',
    path: '/registered-models/alias',
    summary: 'The version an alias points at',
    input: z.object({ name, alias }),
    handler: async (s, i) => (
      await existing(s, i.name), { model_version: mlflowVersion(await s.registry.getVersion(i.name, i.alias)) }
    ),
  }),
  r({
    method: 'post',
    path: '/model-versions/create',
    summary: 'Register an ONNX artifact of a run (runs:/… or mlflow-artifacts:/…) as the next version',
    write: true,
    input: z.object({
      name,
      source: z.string().min(1, "Missing value for required parameter 'source'."),
      run_id: z.string().nullish(),
      description: z.string().nullish(),
      tags: z.array(keyValue).nullish(),
      run_link: z.string().nullish(),
    }),
    async handler(s, i, by) {
      await existing(s, i.name);
      const v = await s.modelImport.fromArtifact({
        name: i.name,
        source: i.source,
        ...(i.run_id
          ? { runId: i.run_id }
          : /^runs:\/([^/]+)/.test(i.source)
            ? { runId: /^runs:\/([^/]+)/.exec(i.source)![1]! }
            : {}),
        ...(i.description ? { description: i.description } : {}),
        ...(i.tags ? { tags: Object.fromEntries(i.tags.map((t) => [t.key, t.value])) } : {}),
        ...(by ? { createdBy: by } : {}),
      });
      return { model_version: mlflowVersion(v) };
    },
  }),
  r({
    method: 'get',
    path: '/model-versions/get',
    summary: 'Get a model version',
    input: NameVersion,
    handler: async (s, i) => (
      await existing(s, i.name),
      { model_version: mlflowVersion(await s.registry.getVersion(i.name, Number(i.version))) }
    ),
  }),
  r({
    method: 'patch',
    path: '/model-versions/update',
    summary: 'Update the description of a version',
    write: true,
    input: NameVersion.extend({ description: z.string().nullish() }),
    handler: async (s, i) => (
      await existing(s, i.name),
      {
        model_version: mlflowVersion(
          await s.registry.updateVersion(i.name, Number(i.version), { description: i.description ?? '' }),
        ),
      }
    ),
  }),
  r({
    method: 'delete',
    path: '/model-versions/delete',
    summary: 'Delete a version',
    write: true,
    input: NameVersion,
    handler: async (s, i) => (
      await existing(s, i.name), await unlessDeployed(s.registry.deleteVersion(i.name, Number(i.version))), {}
    ),
  }),
  ...(['get', 'post'] as const).map((method) =>
    r({
      method,
      path: '/model-versions/search',
      summary: "Search versions (filter: name = 'x', name LIKE 'x%', run_id = 'id')",
      input: Search,
      async handler(s, i) {
        const page = await search(i, (f, limit, offset) => s.registry.searchVersions({ ...f.version, limit, offset }));
        return { model_versions: page.items.map(mlflowVersion), ...(page.next ? { next_page_token: page.next } : {}) };
      },
    }),
  ),
  r({
    method: 'get',
    path: '/model-versions/get-download-uri',
    summary: 'Where the version bytes can be downloaded',
    input: NameVersion,
    handler: async (s, i) => (
      await existing(s, i.name),
      {
        artifact_uri:
          (await s.registry.getVersion(i.name, Number(i.version))).source ??
          `/api/v1/models/${i.name}/versions/${i.version}/artifact`,
      }
    ),
  }),
  r({
    method: 'post',
    path: '/model-versions/transition-stage',
    summary: 'Move a version to None / Staging / Production / Archived',
    write: true,
    input: NameVersion.extend({
      stage,
      archive_existing_versions: z
        .preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean())
        .optional(),
    }),
    handler: async (s, i) => (
      await existing(s, i.name),
      {
        model_version: mlflowVersion(
          await s.registry.updateVersion(i.name, Number(i.version), {
            stage: i.stage,
            archiveExisting: i.archive_existing_versions ?? false,
          }),
        ),
      }
    ),
  }),
  r({
    method: 'post',
    path: '/model-versions/set-tag',
    summary: 'Set a tag on a version',
    write: true,
    input: NameVersion.extend({ key: z.string().min(1), value: z.string() }),
    handler: async (s, i) => (
      await existing(s, i.name),
      await s.registry.updateVersion(i.name, Number(i.version), { tags: { [i.key]: i.value } }),
      {}
    ),
  }),
  r({
    method: 'delete',
    path: '/model-versions/delete-tag',
    summary: 'Delete a tag of a version',
    write: true,
    input: NameVersion.extend({ key: z.string().min(1) }),
    handler: async (s, i) => (
      await existing(s, i.name), await s.registry.updateVersion(i.name, Number(i.version), { removeTags: [i.key] }), {}
    ),
  }),
];
