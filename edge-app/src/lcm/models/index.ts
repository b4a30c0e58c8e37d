export { ModelStore } from './store.ts';
export type { ActiveModel, AddOptions, ImportOptions, ModelInput, ModelStoreOptions, VersionKey } from './api.ts';
export {
  ModelIntegrityError,
  ModelNotFoundError,
  ModelQuotaError,
  ModelStateError,
  isQuotaExceeded,
} from './errors.ts';
export type { QuotaFigures } from './errors.ts';
export { PERSIST_KEY, defaultSafetyMargin, platformStorage } from './quota.ts';
export type { PersistenceRecord, SpaceCheck, StorageLike } from './quota.ts';
export { sha256Hex } from './hash.ts';
