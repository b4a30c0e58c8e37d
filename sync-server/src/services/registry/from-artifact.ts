import { Invalid, NotFound, TooLarge } from '../errors.ts';
import type { BlobStore } from '../../store/blobs/index.ts';
import type { ModelVersion } from '../../../../shared/protocol/index.ts';
import type { RegistryService } from './registry.ts';
import { csvHeader, type ReferenceInput } from './reference.ts';
import { stage, type StagedFile } from './staging.ts';

/** Version tags that say how a reference.csv beside the model maps to its inputs (MLflow has no metadata field). */
export const FEATURES_TAG = 'tinylcm.features';
export const LABEL_COLUMN_TAG = 'tinylcm.label_column';

/**
 * Registers an ONNX file logged to a run (MLflow's model-versions/create with a `source` URI) as the
 * next version: the same validation, content addressing and sha256 as a direct upload, so both roads
 * lead to the same registry version. A source naming a folder (MLflow logs models as folders) must
 * hold exactly one .onnx file. A `reference.csv` beside the .onnx becomes the version's reference
 * profile: its columns are the features named by the `tinylcm.features` tag (a JSON list or
 * comma-separated), else every column but the `tinylcm.label_column` one, in file order.
 */
export async function registerFromArtifact(
  deps: {
    registry: RegistryService;
    blobs: BlobStore;
    resolve(uri: string): Promise<string>;
    maxBytes: number;
    stagingDir: string;
  },
  input: {
    name: string;
    source: string;
    runId?: string;
    description?: string;
    tags?: Record<string, string>;
    createdBy?: string;
  },
): Promise<ModelVersion> {
  let key = await deps.resolve(input.source);
  let info = await deps.blobs.stat(key);
  if (!info) {
    const onnx: string[] = [];
    for await (const k of deps.blobs.list(`${key}/`)) if (k.endsWith('.onnx')) onnx.push(k);
    if (onnx.length !== 1) {
      throw onnx.length
        ? new Invalid(`${input.source} holds ${onnx.length} .onnx files; name one of them`)
        : new NotFound(`no ONNX model at ${input.source} (TinySphere registers ONNX models)`);
    }
    key = onnx[0]!;
    info = await deps.blobs.stat(key);
    if (!info) throw new NotFound(`no artifact at ${input.source}`);
  }
  if (info.size > deps.maxBytes)
    throw new TooLarge(`the artifact is larger than the limit of ${deps.maxBytes} bytes (MAX_UPLOAD_BYTES)`);
  const stream = await deps.blobs.get(key);
  if (!stream) throw new NotFound(`no artifact at ${input.source}`);
  const file = await stage(stream, deps.maxBytes, deps.stagingDir);
  let csv: StagedFile | undefined;
  try {
    csv = await stageBeside(deps, key, 'reference.csv');
    const metadata = {
      ...(input.description ? { description: input.description } : {}),
      ...(input.tags ? { tags: input.tags } : {}),
    };
    let reference: ReferenceInput | undefined;
    let features: string[] | undefined;
    if (csv) {
      const label = input.tags?.[LABEL_COLUMN_TAG]?.trim() || undefined;
      features = parseFeaturesTag(input.tags?.[FEATURES_TAG]) ?? (await csvHeader(csv)).filter((c) => c !== label);
      reference = { file: csv, ...(label ? { labelColumn: label } : {}) };
    }
    return await deps.registry.registerVersion({
      name: input.name,
      file,
      source: input.source,
      ...(input.runId ? { runId: input.runId } : {}),
      metadata: { ...metadata, ...(features ? { features } : {}) },
      ...(reference ? { reference } : {}),
      ...(input.createdBy ? { createdBy: input.createdBy } : {}),
    });
  } finally {
    await file.remove();
    await csv?.remove();
  }
}

/** A file logged in the same artifact folder as `key`, staged; undefined when there is none. */
async function stageBeside(
  deps: { blobs: BlobStore; maxBytes: number; stagingDir: string },
  key: string,
  name: string,
): Promise<StagedFile | undefined> {
  const beside = `${key.slice(0, key.lastIndexOf('/') + 1)}${name}`;
  const info = await deps.blobs.stat(beside);
  if (!info) return undefined;
  if (info.size > deps.maxBytes)
    throw new TooLarge(`${name} is larger than the limit of ${deps.maxBytes} bytes (MAX_UPLOAD_BYTES)`);
  const stream = await deps.blobs.get(beside);
  return stream ? stage(stream, deps.maxBytes, deps.stagingDir) : undefined;
}

function parseFeaturesTag(tag: string | undefined): string[] | undefined {
  if (tag === undefined || !tag.trim()) return undefined;
  try {
    const list: unknown = JSON.parse(tag);
    if (Array.isArray(list) && list.every((x) => typeof x === 'string')) return list;
  } catch {
    // not JSON: comma-separated names
  }
  return tag
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
