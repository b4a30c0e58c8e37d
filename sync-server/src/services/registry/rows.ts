import type { ModelVersion, RegisteredModel } from '../../../../shared/protocol/index.ts';

/** Row shapes as SQL returns them, and their mapping to the API's types. */
export interface ModelRow {
  id: string;
  name: string;
  description: string;
  tags: Record<string, string>;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  aliases: Record<string, number> | null;
  latest_version: number | null;
  version_count: number;
}

export interface VersionRow {
  name: string;
  version: number;
  sha256: string;
  size: string;
  onnx: { opset: number; producerName: string; inputs: ModelVersion['inputs']; outputs: ModelVersion['outputs'] };
  metadata: ModelVersion['metadata'];
  description: string;
  tags: Record<string, string>;
  stage: ModelVersion['stage'];
  source: string | null;
  run_id: string | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  aliases: string[] | null;
}

export const MODEL_SELECT = `
  SELECT m.id, m.name, m.description, m.tags, m.created_by, m.created_at, m.updated_at,
    (SELECT jsonb_object_agg(a.alias, a.version) FROM model_aliases a WHERE a.model_id = m.id) AS aliases,
    (SELECT max(v.version) FROM model_versions v WHERE v.model_id = m.id) AS latest_version,
    (SELECT count(*)::int FROM model_versions v WHERE v.model_id = m.id) AS version_count
  FROM registered_models m`;

export const VERSION_SELECT = `
  SELECT m.name, v.version, v.sha256, a.size, a.onnx, v.metadata, v.description, v.tags, v.stage,
    v.source, v.run_id, v.created_by, v.created_at, v.updated_at,
    (SELECT array_agg(al.alias ORDER BY al.alias) FROM model_aliases al WHERE al.model_id = v.model_id AND al.version = v.version) AS aliases
  FROM model_versions v
  JOIN registered_models m ON m.id = v.model_id
  JOIN model_artifacts a ON a.sha256 = v.sha256`;

export function toModel(r: ModelRow): RegisteredModel {
  return {
    name: r.name,
    description: r.description,
    tags: r.tags,
    aliases: r.aliases ?? {},
    latestVersion: r.latest_version,
    versionCount: r.version_count,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export function toVersion(r: VersionRow): ModelVersion {
  return {
    name: r.name,
    version: r.version,
    sha256: r.sha256,
    size: Number(r.size),
    opset: r.onnx.opset,
    producer: r.onnx.producerName,
    inputs: r.onnx.inputs,
    outputs: r.onnx.outputs,
    description: r.description,
    tags: r.tags,
    stage: r.stage,
    aliases: r.aliases ?? [],
    metadata: r.metadata,
    source: r.source,
    runId: r.run_id,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

/** Opaque page tokens: the position after which the next page starts. */
export function encodePageToken(after: string | number): string {
  return Buffer.from(JSON.stringify({ after })).toString('base64url');
}

export function decodePageToken<T extends string | number>(
  token: string | undefined,
  kind: 'string' | 'number',
): T | undefined {
  if (!token) return undefined;
  try {
    const { after } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after: unknown };
    if (typeof after === kind) return after as T;
  } catch {
    /* fall through */
  }
  return undefined;
}
