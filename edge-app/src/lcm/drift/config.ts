/** The drift configuration lives in shared/ so the server validates what it sends with the same schema. */
export {
  checkDetectorParams,
  DriftConfigSchema,
  FEATURE_DETECTOR_DEFAULTS,
  KNN_DEVICE_DEFAULTS,
  parseDriftConfig,
  type DriftConfig,
  type DriftConfigInput,
} from '../../../../shared/drift/config.ts';
