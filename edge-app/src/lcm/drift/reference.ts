import {
  ReferenceProfileSchema,
  type NumericFeatureProfile,
  type ReferenceProfile,
} from '../../../../shared/drift/profile/schema.ts';
import type { VersionMetadata } from '../../../../shared/protocol/registry.ts';

/** What a model version's metadata tells the drift monitors. */
export interface DriftReference {
  profile: ReferenceProfile | null;
  /** Why a profile that was present could not be used. */
  profileProblem: string | null;
  /** Feature names in the model's input order, when known. */
  featureNames: string[] | null;
  /** Class labels by class index, when known. */
  classLabels: string[] | null;
}

export function readReference(metadata: VersionMetadata | undefined): DriftReference {
  let profile: ReferenceProfile | null = null;
  let profileProblem: string | null = null;
  if (metadata?.referenceProfile !== undefined) {
    const parsed = ReferenceProfileSchema.safeParse(metadata.referenceProfile);
    if (parsed.success) profile = parsed.data;
    else profileProblem = `referenceProfile is not a valid profile: ${parsed.error.issues[0]?.message ?? 'invalid'}`;
  }
  return {
    profile,
    profileProblem,
    featureNames:
      metadata?.features ?? metadata?.inputSchema?.map((f) => f.name) ?? profile?.features.map((f) => f.name) ?? null,
    classLabels: metadata?.classLabels ?? null,
  };
}

export function numericFeature(profile: ReferenceProfile | null, name: string): NumericFeatureProfile | null {
  const f = profile?.features.find((x) => x.name === name);
  return f && f.kind === 'numeric' && f.mean !== null ? f : null;
}

/** Mean and std of the model's confidence on its training data. */
export function confidenceReference(profile: ReferenceProfile | null): { mean: number; std: number } | null {
  const c = profile?.confidence;
  if (!c || c.mean === null || c.variance === null) return null;
  return { mean: c.mean, std: Math.sqrt(c.variance) };
}

/**
 * Training class distribution by class index. The profile counts labels; they map to indices
 * through the model's class labels, or directly when the labels are the indices ('0', '1', …).
 */
export function classReference(
  profile: ReferenceProfile | null,
  labels: string[] | null,
): { probabilities: number[]; size: number } | null {
  const c = profile?.classes;
  if (!c || c.count === 0) return null;
  const byLabel = new Map(c.labels.map((l, i) => [l, c.counts[i] ?? 0]));
  const names =
    labels ??
    (c.labels.every((l) => /^\d+$/.test(l))
      ? Array.from({ length: Math.max(...c.labels.map(Number)) + 1 }, (_, i) => String(i))
      : null);
  if (!names || names.length < 2) return null;
  const counts = names.map((l) => byLabel.get(l) ?? 0);
  const total = counts.reduce((a, b) => a + b, 0);
  // Labels the model does not know would silently vanish from the reference: refuse instead.
  if (total !== c.count) return null;
  return { probabilities: counts.map((n) => n / total), size: total };
}
