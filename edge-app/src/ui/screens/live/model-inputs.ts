import type { ReferenceProfile } from '../../../../../shared/drift/profile/schema.ts';
import { type ImagePreprocessing, readReference, resolvePreprocessing, type StoredModel } from '../../../lcm/index.ts';
import { DemoStream } from '../../sources/demo-stream.ts';

export type SourceKind = 'demo' | 'csv' | 'form' | 'camera';

export const SOURCE_LABELS: Record<SourceKind, string> = {
  demo: 'Demo stream',
  csv: 'CSV file',
  form: 'One row',
  camera: 'Camera',
};

/** What the live screen can feed the active model, read from its metadata. */
export interface ModelInputs {
  /** Tabular feature names in input order; empty for image models. */
  features: string[];
  image: ImagePreprocessing | null;
  inputName: string;
  sources: SourceKind[];
}

const known = new WeakMap<StoredModel, ModelInputs>();

/** Read once per model object: the screen asks on every render, and the metadata is validated with zod. */
export function modelInputs(model: StoredModel): ModelInputs {
  let inputs = known.get(model);
  if (!inputs) known.set(model, (inputs = readInputs(model)));
  return inputs;
}

/** The model's reference profile (validated once per model object), or null. */
export function modelProfile(model: StoredModel): ReferenceProfile | null {
  let p = profiles.get(model);
  if (p === undefined) profiles.set(model, (p = readReference(model.metadata).profile));
  return p;
}
const profiles = new WeakMap<StoredModel, ReferenceProfile | null>();

function readInputs(model: StoredModel): ModelInputs {
  let prep = null;
  try {
    prep = resolvePreprocessing(model.metadata);
  } catch {
    // An invalid declaration is reported by TinyLCM when it infers; here it only means "no known inputs".
  }
  const image = prep?.kind === 'image' ? prep : null;
  const features =
    prep?.kind === 'tabular' ? prep.features : image ? [] : (readReference(model.metadata).featureNames ?? []);
  const sources: SourceKind[] = [];
  if (DemoStream.fits(features)) sources.push('demo');
  if (features.length) sources.push('csv', 'form');
  if (image) sources.push('camera');
  return { features, image, inputName: prep?.input ?? model.onnx.inputs[0]?.name ?? 'input', sources };
}
