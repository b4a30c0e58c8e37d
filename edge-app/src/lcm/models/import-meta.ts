// What a model imported from a file (no registry behind it) is called and what we know about it.

import type { OnnxMetadata } from '../../../../shared/onnx/reader.ts';
import type { VersionMetadata } from '../../../../shared/protocol/registry.ts';

/** The registry's rule for model names (ModelNameSchema), so an imported model could later be uploaded as is. */
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function isModelName(name: string): boolean {
  return MODEL_NAME.test(name);
}

/** Turns free text into a model name: disallowed runs become '-', leading punctuation goes; '' when nothing is left. */
export function toModelName(text: string): string {
  return text
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 128)
    .replace(/[-.]+$/, '');
}

/** The name a file import gets without one given: the ONNX graph name, else its producer, else the file name. */
export function nameFromOnnx(onnx: OnnxMetadata, fileName?: string): string {
  const stem = fileName?.replace(/\.onnx$/i, '');
  for (const candidate of [onnx.graphName, onnx.producerName, stem]) {
    const name = candidate ? toModelName(candidate) : '';
    if (name) return name;
  }
  return 'model';
}

function jsonStrings(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) && v.every((s) => typeof s === 'string') ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Metadata the file itself carries, in the registry's shape: class labels and feature names from
 * the `class_labels` / `feature_names` metadata_props (JSON arrays, as the project's exporters
 * write them), the doc string as description. Anything unreadable is left out, never fatal.
 */
export function metadataFromOnnx(onnx: OnnxMetadata): VersionMetadata {
  const meta: VersionMetadata = {};
  const classLabels = jsonStrings(onnx.metadataProps.class_labels);
  const features = jsonStrings(onnx.metadataProps.feature_names);
  if (classLabels) meta.classLabels = classLabels;
  if (features) meta.features = features;
  if (onnx.docString) meta.description = onnx.docString.slice(0, 5000);
  return meta;
}
