// The model store's public argument and result shapes.

import type { VersionMetadata } from '../../../../shared/protocol/registry.ts';
import type { ActiveModelRecord, ModelRef, StoredModel } from '../types.ts';
import type { StorageLike } from './quota.ts';

/** A version as the registry announces it; `sha256` is what the bytes must hash to. */
export interface ModelInput {
  name: string;
  version: number;
  sha256: string;
  metadata?: VersionMetadata;
  origin?: 'registry' | 'file';
}

export interface AddOptions {
  /** Also make it the active version, in the same transaction as the write. */
  activate?: boolean;
}

/** Optional facts for `importFile`; what is missing comes from the ONNX file. */
export interface ImportOptions extends AddOptions {
  name?: string;
  /** Default: one above the highest version of that name on the device. */
  version?: number;
  /** Default: class labels, feature names and description from the file's metadata_props. */
  metadata?: VersionMetadata;
}

export interface ModelStoreOptions {
  /** Default `navigator.storage`; null turns the pre-checks off (IndexedDB's own quota error still guards). */
  storage?: StorageLike | null;
  /** Bytes kept free on top of a model, from the quota; default `defaultSafetyMargin`. */
  safetyMargin?: (quota: number) => number;
  now?: () => number;
}

/** A version by name and number; when `sha256` is given it must match too. */
export type VersionKey = Pick<ModelRef, 'name' | 'version'> & { sha256?: string };

/** The active record with the version it points at, read in one snapshot. */
export interface ActiveModel extends ActiveModelRecord {
  model: StoredModel;
}
