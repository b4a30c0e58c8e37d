/**
 * TinyLCM's sync with TinySphere: the engine (one exchange: document, logs, models) and the parts it
 * drives. Separate from ./index.ts because it brings Automerge and the log archive codec, which the
 * PWA loads only on an enrolled device (app/sync-loader.ts). Its types are in ./index.ts too.
 */
export { SyncEngine, type SyncEngineOptions, type SyncSummary } from './sync/engine.ts';
export { SyncScheduler, type SchedulerClock, type SyncSchedulerOptions } from './sync/scheduler.ts';
export { IdbMarkStore, MemoryMarkStore, type MarkStore } from './sync/console-marks.ts';
export { DocSync, type DocStorage, type DocSyncOptions, type ExchangeBytes } from '../../../shared/sync/documents.ts';
export { IdbDocStorage, MemoryDocStorage } from './sync/doc-storage.ts';
export { LogUploader, UploadRejectedError, type LogUploaderOptions, type UploadSummary } from './sync/uploader.ts';
export { RemoteConfig, lcmConfig, type AppliedConfig, type ConfigReport } from './sync/remote-config.ts';
