/**
 * What the upload form declares about a tabular model — feature names, scaling, class labels — and
 * the checks made in the browser before anything is sent: the names against the ONNX input's
 * width, the training CSV's columns against the names. The result is registry metadata in the
 * shape the device reads (edge-app/src/lcm/preprocess/schema.ts: `{ kind: 'tabular', features,
 * scale: { mean, std } | { min, max } }`).
 */
import type { OnnxValueInfo } from '../../../../shared/onnx/reader.ts';
import type { NumericFeatureProfile, ReferenceProfile } from '../../../../shared/drift/profile/schema.ts';

export type Scaling = 'none' | 'standard' | 'minmax';

export interface Declared {
  features: string[];
  scaling: Scaling;
  classLabels: string[];
}

/** One feature name per line (names may hold spaces, parentheses and commas); blank lines ignored. */
export const featureLines = (text: string): string[] =>
  text
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter(Boolean);

/** Comma-separated class labels, in the model's class index order. */
export const labelList = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Problems with the declared names themselves. */
export function nameProblems(d: Declared): string[] {
  const out: string[] = [];
  const dup = (xs: string[]) => xs.filter((x, i) => xs.indexOf(x) !== i);
  for (const f of new Set(dup(d.features))) out.push(`Feature "${f}" is declared twice.`);
  for (const l of new Set(dup(d.classLabels))) out.push(`Class label "${l}" is declared twice.`);
  if (d.scaling !== 'none' && d.features.length === 0) out.push('Scaling needs the feature list.');
  return out;
}

const dims = (shape: OnnxValueInfo['shape']) => `[${(shape ?? []).map((d) => d ?? '?').join(', ')}]`;

/**
 * The ONNX input the features feed must take one value per feature in its last dimension.
 * Returns what is wrong, or undefined when it fits (or nothing can be said: no shape, a symbolic width).
 */
export function shapeProblem(inputs: readonly OnnxValueInfo[], features: readonly string[]): string | undefined {
  if (features.length === 0) return undefined;
  const input = inputs[0];
  if (!input) return 'The ONNX file declares no input to feed the features to.';
  if (!input.shape || input.shape.length === 0) return undefined;
  const width = input.shape[input.shape.length - 1];
  if (typeof width !== 'number' || width === features.length) return undefined;
  return `The model's input "${input.name}" (${input.type} ${dims(input.shape)}) takes ${width} values per row, but ${features.length} feature${features.length === 1 ? ' is' : 's are'} declared.`;
}

/** Which outputs' last dimension could hold the class scores; a label count none of them matches is suspicious. */
export function labelProblem(outputs: readonly OnnxValueInfo[], labels: readonly string[]): string | undefined {
  if (labels.length === 0) return undefined;
  const widths = outputs.map((o) => o.shape?.at(-1)).filter((w): w is number => typeof w === 'number' && w > 1);
  if (widths.length === 0 || widths.includes(labels.length)) return undefined;
  return `${labels.length} class labels are declared, but the model's outputs hold ${widths.join(' or ')} scores per row.`;
}

/**
 * The scale the device applies, from the training data's profile: standard uses each feature's
 * mean and standard deviation, min-max its range. Undefined with a reason when the profile cannot give it.
 */
export function scaleFrom(
  scaling: Scaling,
  features: readonly string[],
  profile: ReferenceProfile | undefined,
): { scale?: Record<string, number[]>; problem?: string } {
  if (scaling === 'none') return {};
  if (!profile) return { problem: 'Scaling is computed from the training CSV: choose one.' };
  const byName = new Map(
    profile.features.filter((f): f is NumericFeatureProfile => f.kind === 'numeric').map((f) => [f.name, f]),
  );
  const cols = features.map((f) => byName.get(f));
  const bad = features.filter((_, i) => {
    const c = cols[i];
    if (!c || c.mean === null || c.min === null || c.max === null) return true;
    return scaling === 'standard' ? !(c.variance !== null && c.variance > 0) : !(c.max > c.min);
  });
  if (bad.length)
    return {
      problem: `Cannot scale ${bad.map((b) => `"${b}"`).join(', ')}: the training CSV holds no spread of values there.`,
    };
  const c = cols as NumericFeatureProfile[];
  return scaling === 'standard'
    ? { scale: { mean: c.map((f) => f.mean!), std: c.map((f) => Math.sqrt(f.variance!)) } }
    : { scale: { min: c.map((f) => f.min!), max: c.map((f) => f.max!) } };
}

/** The metadata to send: the JSON typed by hand, with the declared fields over it. */
export function metadataOf(
  base: Record<string, unknown>,
  d: Declared,
  scale: Record<string, number[]> | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  if (d.features.length) {
    out.features = d.features;
    out.preprocessing = { kind: 'tabular', features: d.features, ...(scale ? { scale } : {}) };
  }
  if (d.classLabels.length) out.classLabels = d.classLabels;
  return out;
}
