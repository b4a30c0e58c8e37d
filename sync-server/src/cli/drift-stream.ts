import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  createDetector,
  DETECTOR_DEFAULTS,
  DETECTOR_INPUTS,
  DETECTOR_NAMES,
  isDetectorName,
  parseDetectorParams,
} from '../../../shared/drift/detectors/index.ts';
import { CsvError, parseCsv } from '../../../shared/csv/reader.ts';
import type { Command } from './commands.ts';

const USAGE = `tinysphere drift-stream --detector NAME --input FILE.csv [--column COL] [--param key=value ...] [--json]
  Feeds one numeric column (default: the first), row by row, to one streaming detector and reports
  the 0-based indices of the rows whose update raised a drift or a warning.
  detectors: ${DETECTOR_NAMES.join(', ')}
  --list-params NAME prints a detector's parameters with their defaults.`;

class Bad extends Error {}

export interface StreamReport {
  detector: string;
  params: Record<string, unknown>;
  n: number;
  drifts: number[];
  warnings: number[];
}

/** Runs a detector over a series; pure apart from the detector itself, so tests can call it. */
export function runStream(
  name: string,
  params: Record<string, string | number | boolean>,
  values: ArrayLike<number>,
): StreamReport {
  const detector = createDetector(name, params) as unknown as {
    update(x: unknown): { drift: boolean; warning: boolean };
    toJSON(): { params: Record<string, unknown> };
  };
  // The KNN monitor takes feature vectors; one column is a one-dimensional vector.
  const vector = name === 'knn-distance' ? new Float64Array(1) : undefined;
  const drifts: number[] = [];
  const warnings: number[] = [];
  for (let i = 0; i < values.length; i++) {
    let x: unknown = values[i]!;
    if (vector) {
      vector[0] = values[i]!;
      x = vector;
    }
    const r = detector.update(x);
    if (r.drift) drifts.push(i);
    if (r.warning) warnings.push(i);
  }
  return { detector: name, params: detector.toJSON().params, n: values.length, drifts, warnings };
}

async function readColumn(file: string, column: string | undefined): Promise<Float64Array> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new Bad(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let table;
  try {
    table = parseCsv(text);
  } catch (err) {
    if (err instanceof CsvError) throw new Bad(`${file}: ${err.message}`);
    throw err;
  }
  const index = column === undefined ? 0 : table.header.indexOf(column);
  if (index < 0) throw new Bad(`${file} has no column "${column}" (columns: ${table.header.join(', ')})`);
  if (table.rows.length === 0) throw new Bad(`${file} has no data rows`);
  const out = new Float64Array(table.rows.length);
  for (let i = 0; i < table.rows.length; i++) {
    const raw = table.rows[i]![index]!.trim();
    const v = raw === '' ? NaN : Number(raw);
    if (!Number.isFinite(v))
      throw new Bad(
        `${file} line ${table.lines[i]}: column "${table.header[index]}" holds ${JSON.stringify(raw)}, not a number`,
      );
    out[i] = v;
  }
  return out;
}

export const driftStream: Command = {
  summary: 'Run one streaming drift detector over one CSV column and list where it alarms.',
  usage: USAGE,
  async run(args) {
    try {
      const { values } = parseArgs({
        args,
        options: {
          detector: { type: 'string' },
          input: { type: 'string' },
          column: { type: 'string' },
          param: { type: 'string', multiple: true, default: [] },
          json: { type: 'boolean', default: false },
          'list-params': { type: 'string' },
        },
      });
      const listFor = values['list-params'];
      if (listFor !== undefined) {
        if (!isDetectorName(listFor))
          throw new Bad(`unknown detector "${listFor}"; one of: ${DETECTOR_NAMES.join(', ')}`);
        process.stdout.write(`${listFor} (input: ${DETECTOR_INPUTS[listFor]})\n`);
        for (const [k, v] of Object.entries(DETECTOR_DEFAULTS[listFor]))
          process.stdout.write(`  ${k}=${JSON.stringify(v)}\n`);
        return 0;
      }
      if (!values.detector) throw new Bad('--detector is required');
      if (!values.input) throw new Bad('--input is required');
      if (!isDetectorName(values.detector))
        throw new Bad(`unknown detector "${values.detector}"; one of: ${DETECTOR_NAMES.join(', ')}`);
      let params;
      try {
        params = parseDetectorParams(values.detector, values.param);
        createDetector(values.detector, params);
      } catch (err) {
        throw new Bad((err as Error).message);
      }
      const series = await readColumn(values.input, values.column);
      const report = runStream(values.detector, params, series);
      if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`);
      else {
        process.stdout.write(
          `${report.detector} over ${report.n} samples (${Object.entries(report.params)
            .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
            .join(' ')})\n`,
        );
        process.stdout.write(`drifts (${report.drifts.length}): ${report.drifts.join(' ') || '-'}\n`);
        process.stdout.write(
          `warnings (${report.warnings.length}): ${report.warnings.length > 50 ? `${report.warnings.slice(0, 50).join(' ')} …` : report.warnings.join(' ') || '-'}\n`,
        );
      }
      return 0;
    } catch (err) {
      if (err instanceof Bad || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
        process.stderr.write(`tinysphere drift-stream: ${(err as Error).message}\n`);
        return 2;
      }
      throw err;
    }
  },
};
