import { HttpError } from '../../http/errors.ts';
import type { BlobStore } from '../../store/blobs/index.ts';
import type { ModelVersion } from '../../../../shared/protocol/index.ts';
import type { RegistryService } from './registry.ts';
import { stage } from './staging.ts';

/**
 * Registers an ONNX file logged to a run (MLflow's model-versions/create with a `source` URI) as the
 * next version: the same validation, content addressing and sha256 as a direct upload, so both roads
 * lead to the same registry version. A source naming a folder (MLflow logs models as folders) must
 * hold exactly one .onnx file.
 */
export async function registerFromArtifact(
  deps: { registry: RegistryService; blobs: BlobStore; resolve(uri: string): Promise<string>; maxBytes: number; stagingDir: string },
  input: { name: string; source: string; runId?: string; description?: string; tags?: Record<string, string>; createdBy?: string },
): Promise<ModelVersion> {
  let key = await deps.resolve(input.source);
  let info = await deps.blobs.stat(key);
  if (!info) {
    const onnx: string[] = [];
    for await (const k of deps.blobs.list(`${key}/`)) if (k.endsWith('.onnx')) onnx.push(k);
    if (onnx.length !== 1) {
      throw HttpError.of(
        onnx.length ? 'bad_request' : 'not_found',
        onnx.length ? `${input.source} holds ${onnx.length} .onnx files; name one of them` : `no ONNX model at ${input.source} (TinySphere registers ONNX models)`,
      );
    }
    key = onnx[0]!;
    info = await deps.blobs.stat(key);
    if (!info) throw HttpError.of('not_found', `no artifact at ${input.source}`);
  }
  if (info.size > deps.maxBytes) throw HttpError.of('payload_too_large', `the artifact is larger than the limit of ${deps.maxBytes} bytes (MAX_UPLOAD_BYTES)`);
  const stream = await deps.blobs.get(key);
  if (!stream) throw HttpError.of('not_found', `no artifact at ${input.source}`);
  const file = await stage(stream, deps.maxBytes, deps.stagingDir);
  try {
    return await deps.registry.registerVersion({
      name: input.name,
      file,
      source: input.source,
      ...(input.runId ? { runId: input.runId } : {}),
      metadata: { ...(input.description ? { description: input.description } : {}), ...(input.tags ? { tags: input.tags } : {}) },
      ...(input.createdBy ? { createdBy: input.createdBy } : {}),
    });
  } finally {
    await file.remove();
  }
}
