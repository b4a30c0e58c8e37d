import { toCsv } from '../../../../shared/csv/writer.ts';
import type { InferenceRecord } from '../types.ts';

// Part of the library's API: callers quote fields the way the export does.
export { csvField } from '../../../../shared/csv/writer.ts';

export type ExportFormat = 'jsonl' | 'csv';

/** One JSON Lines line, newline included. */
export function jsonLine(r: InferenceRecord): string {
  return `${JSON.stringify(r)}\n`;
}

export const CSV_COLUMNS = [
  'segment',
  'id',
  'ts',
  'time',
  'model',
  'version',
  'sha256',
  'latency_ms',
  'class_index',
  'label',
  'confidence',
  'margin',
  'entropy',
  'drift',
  'error',
  'acked',
  'batch_id',
  'input',
  'input_ref',
  'probabilities',
  'set_aside',
] as const;

export function csvHeader(): string {
  return toCsv([CSV_COLUMNS]);
}

/**
 * One CSV row (RFC 4180, CRLF). Vectors (input, probabilities) are JSON arrays in one field, so
 * rows of models with different input sizes share the columns; missing values are empty fields.
 */
export function csvRow(r: InferenceRecord): string {
  const cells: unknown[] = [
    r.segment,
    r.id,
    r.ts,
    Number.isFinite(r.ts) ? new Date(r.ts).toISOString() : '',
    r.model.name,
    r.model.version,
    r.model.sha256,
    r.latencyMs,
    r.output.classIndex,
    r.output.label,
    r.confidence,
    r.margin,
    r.entropy,
    r.drift,
    r.error,
    r.acked,
    r.batchId,
    r.input ? JSON.stringify(r.input) : undefined,
    r.inputRef,
    r.output.probabilities ? JSON.stringify(r.output.probabilities) : undefined,
    r.setAside,
  ];
  return toCsv([cells]);
}
