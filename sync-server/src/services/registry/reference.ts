import { createReadStream } from 'node:fs';
import { CsvError, CsvReader } from '../../../../shared/csv/reader.ts';
import {
  decodeUtf8,
  profileFromCsv,
  ProfileInputError,
  type FeatureSpec,
  type ReferenceProfile,
} from '../../../../shared/drift/profile/index.ts';
import type { OnnxMetadata } from '../../../../shared/onnx/reader.ts';
import type { VersionMetadata } from '../../../../shared/protocol/index.ts';
import { Invalid } from '../errors.ts';
import type { StagedFile } from './staging.ts';

/** A training CSV sent with (or after) a model: it becomes the version's reference profile. */
export interface ReferenceInput {
  file: StagedFile;
  /** A column of true labels: it makes the profile's class distribution. */
  labelColumn?: string;
}

/** The features a version declares, in input order: `features`, else the names in `inputSchema`. */
export function declaredFeatures(meta: VersionMetadata): FeatureSpec[] | undefined {
  if (meta.features) return meta.features.map((name) => ({ name, kind: 'numeric' }));
  return meta.inputSchema?.map((f) => ({ name: f.name, kind: f.kind }));
}

/**
 * A tabular model takes one input of shape [batch, N]: its declared features must number N, or the
 * device would match values to the wrong names. Models of another shape (images, several inputs)
 * are not checked.
 */
export function checkFeatureWidth(onnx: Pick<OnnxMetadata, 'inputs'>, features: readonly unknown[] | undefined): void {
  if (!features || onnx.inputs.length !== 1) return;
  const input = onnx.inputs[0]!;
  const shape = input.shape;
  if (shape?.length !== 2 || typeof shape[1] !== 'number') return;
  if (shape[1] !== features.length) {
    throw new Invalid(
      `the model's input "${input.name}" takes ${shape[1]} features (shape [${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]) but ${features.length} feature names are declared`,
    );
  }
}

/**
 * Builds the reference profile from the CSV, streamed from disk twice (never held whole), and
 * returns the metadata with it. Every refusal is a 400 naming the column (and row and line).
 */
export async function withReferenceProfile(
  onnx: Pick<OnnxMetadata, 'inputs'>,
  meta: VersionMetadata,
  ref: ReferenceInput,
): Promise<VersionMetadata> {
  const features = declaredFeatures(meta);
  if (!features) {
    throw new Invalid(
      'a reference CSV needs the model\'s feature names: send metadata with "features" (the CSV columns in the model\'s input order)',
    );
  }
  checkFeatureWidth(onnx, features);
  const referenceProfile = await buildReference(ref, features);
  return { ...meta, features: features.map((f) => f.name), referenceProfile };
}

export async function buildReference(ref: ReferenceInput, features: readonly FeatureSpec[]): Promise<ReferenceProfile> {
  try {
    return await profileFromCsv(() => decodeUtf8(createReadStream(ref.file.path, { highWaterMark: 256 * 1024 })), {
      features,
      ...(ref.labelColumn ? { labelColumn: ref.labelColumn } : {}),
    });
  } catch (err) {
    if (err instanceof ProfileInputError || err instanceof CsvError) throw new Invalid(`reference CSV: ${err.message}`);
    throw err;
  }
}

/** The header of a staged CSV, reading no further than its first record. */
export async function csvHeader(file: StagedFile): Promise<string[]> {
  const stream = createReadStream(file.path, { highWaterMark: 64 * 1024 });
  const reader = new CsvReader(() => {});
  try {
    for await (const text of decodeUtf8(stream)) {
      reader.push(text);
      if (reader.header) return reader.header;
    }
    reader.end();
    return reader.header ?? [];
  } catch (err) {
    if (err instanceof CsvError) throw new Invalid(`reference CSV: ${err.message}`);
    throw err;
  } finally {
    stream.destroy();
  }
}
