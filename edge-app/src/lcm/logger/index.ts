export { DataLogger, type DataLoggerOptions, type ExportOptions, type LoggerStats } from './logger.ts';
export { LogStore, type LogTotals, type RetentionPolicy, type SetAsideBatch } from './log-store.ts';
export { CSV_COLUMNS, csvField, csvHeader, csvRow, jsonLine, type ExportFormat } from './export.ts';
export { Sampler, type SamplingPolicy } from './sampling.ts';
export { SegmentBuilder, segmentRecords, type LogSegment, type RecordPolicy } from './segment.ts';
