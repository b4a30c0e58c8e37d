// Reference profiles: what a model's training data looked like, in a form
// small enough to ship with the model, compare against on the device, and
// merge across devices. Pure TypeScript (no DOM, no Node APIs).

export { buildProfile, specFromProfile, confidenceBin, ProfileInputError } from './build.ts';
export { isMissing, toFiniteNumber } from './values.ts';
export type { ProfileRow } from './build.ts';
export { profileFromCsv, decodeUtf8, DEFAULT_PROFILE_SAMPLE } from './csv-profile.ts';
export type { CsvProfileOptions, CsvTextSource } from './csv-profile.ts';
export { mergeProfiles, histogramQuantile, ProfileMergeError } from './merge.ts';
export { momentsOf, combineMoments, unbiasedVariance } from './moments.ts';
export type { Moments } from './moments.ts';
export {
  CONFIDENCE_BINS,
  PROFILE_QUANTILES,
  PROFILE_VERSION,
  DatasetSpecSchema,
  FeatureSpecSchema,
  NumericFeatureSpecSchema,
  CategoricalFeatureSpecSchema,
  ReferenceProfileSchema,
  FeatureProfileSchema,
  NumericFeatureProfileSchema,
  CategoricalFeatureProfileSchema,
  ClassProfileSchema,
  ConfidenceProfileSchema,
} from './schema.ts';
export type {
  DatasetSpec,
  FeatureSpec,
  NumericFeatureSpec,
  CategoricalFeatureSpec,
  ReferenceProfile,
  FeatureProfile,
  NumericFeatureProfile,
  CategoricalFeatureProfile,
  ClassProfile,
  ConfidenceProfile,
} from './schema.ts';
