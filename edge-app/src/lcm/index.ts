/**
 * TinyLCM's public surface: what an app (the PWA, the simulator, the CLIs, a test) imports from the
 * library. Everything here runs on any platform the library runs on (a page, a worker, Node) and
 * pulls in neither an onnxruntime build nor Automerge; those live behind three more entries, so that a
 * page loads them only where it needs them:
 *
 *   - `./node.ts`    onnxruntime-web's Node build (CLIs, simulator, tests);
 *   - `./browser.ts` its WebAssembly-only build and the bare session (the runtime worker);
 *   - `./sync.ts`    the sync engine and its HTTP clients (Automerge, the log archive codec), which the
 *                    PWA loads on demand on an enrolled device.
 *
 * The sync classes are exported here as types only, for the same reason. Nothing outside lcm/
 * imports another module of it (dependency-cruiser: apps-use-the-library-surface).
 */

export {
  TinyLCM,
  type InferInput,
  type InferResult,
  type LcmConfig,
  type TinyLCMOptions,
} from './tinylcm.ts';
export { sessionBackend, type InferenceBackend } from './backend.ts';
export type * from './types.ts';

export { DB_NAME, KvStore, openLcmDb, type LcmDb } from './storage/db.ts';

export {
  LcmSession,
  ModelLoadError,
  FeedValidator,
  InferenceInputError,
  describeInput,
  findScoresOutput,
  summarizeClassifier,
  type ClassifierSummary,
  type LoadOptions,
  type Ort,
  type RunResult,
  type SessionInfo,
  type SummaryOptions,
  type WarmUp,
} from './runtime/index.ts';
export {
  TENSOR_TYPES,
  TYPED_ARRAY_OF,
  elementCount,
  filledTensor,
  formatDims,
  isTensorType,
  transferables,
} from './runtime/tensors.ts';

export * from './models/index.ts';
export * from './preprocess/index.ts';
export { decodeImage, imageTensorFrom, type ImageSource } from './preprocess/image-browser.ts';
export * from './logger/index.ts';
export * from './monitor/index.ts';
export {
  DeviceDrift,
  parseDriftConfig,
  type ChannelStatus,
  type DeviceDriftOptions,
  type DeviceDriftState,
  type DriftConfig,
  type DriftConfigInput,
} from './drift/index.ts';
export {
  classReference,
  confidenceReference,
  numericFeature,
  readReference,
  type DriftReference,
} from './drift/reference.ts';

export { ModelPuller, ModelPullError, type ModelPullerOptions, type PullProgress } from './sync/model-pull.ts';
export { MAX_RETRY_AFTER_MS, RetryableError, backoffDelay, withBackoff, type BackoffOptions } from './sync/backoff.ts';
export type { SyncEngine, SyncEngineOptions, SyncSummary } from './sync/engine.ts';
export type { SyncScheduler, SyncSchedulerOptions, SchedulerClock } from './sync/scheduler.ts';
export type { LogUploader, LogUploaderOptions, UploadRejectedError, UploadSummary } from './sync/uploader.ts';
export type { DocStorage, DocSync, DocSyncOptions, ExchangeBytes } from '../../../shared/sync/documents.ts';
export type { MarkStore } from './sync/console-marks.ts';
