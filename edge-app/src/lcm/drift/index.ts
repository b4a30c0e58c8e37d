export { DeviceDrift, type DeviceDriftOptions, type DeviceDriftState } from './device-drift.ts';
export type { ChannelStatus } from './channel.ts';
export {
  checkDetectorParams,
  DriftConfigSchema,
  FEATURE_DETECTOR_DEFAULTS,
  KNN_DEVICE_DEFAULTS,
  parseDriftConfig,
  type DriftConfig,
  type DriftConfigInput,
} from './config.ts';
export { DRIFT_FLAGS, DRIFT_MASK, WARNING_SHIFT, driftKinds } from '../../../../shared/drift/flags.ts';
export { DriftStateStore, driftStateKey } from './store.ts';
export { DriftOutbox, documentEvent, MAX_PENDING_EVENTS, type PendingDriftEvent } from './outbox.ts';
