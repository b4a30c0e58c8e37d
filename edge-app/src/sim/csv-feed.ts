/**
 * `tinylcm simulate --data FILE.csv`: the CSV's rows as every device's input stream, its columns
 * matched to the model's feature names (extra columns ignored), in file order, cycling when a
 * device needs more records than the file holds. Every problem with the file is a UsageError
 * (exit 2) naming the file, and the row and column where there is one — found before the
 * simulator creates anything on the server.
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../../../shared/cli/command.ts';
import { CsvError, parseCsv } from '../../../shared/csv/reader.ts';
import type { VersionMetadata } from '../../../shared/protocol/registry.ts';
import { PreprocessError, resolvePreprocessing, type Feeds, type InferInput } from '../lcm/index.ts';

/** `--model NAME@VERSION` or `NAME:ALIAS`. */
export type ModelSpec = { name: string; version: number } | { name: string; alias: string };

export function parseModelSpec(raw: string): ModelSpec {
  const at = /^([A-Za-z0-9][A-Za-z0-9._-]{0,127})@([1-9]\d{0,9})$/.exec(raw);
  if (at) return { name: at[1]!, version: Number(at[2]) };
  const colon = /^([A-Za-z0-9][A-Za-z0-9._-]{0,127}):([A-Za-z][A-Za-z0-9_-]{0,63})$/.exec(raw);
  if (colon) return { name: colon[1]!, alias: colon[2]! };
  throw new UsageError(`--model must be NAME@VERSION or NAME:ALIAS (got ${JSON.stringify(raw)})`);
}

/** What the simulator needs of a registry version to feed it. */
export interface FeedModel {
  name: string;
  version: number;
  metadata: Pick<VersionMetadata, 'features' | 'inputSchema' | 'preprocessing'>;
  inputs: { name: string; type: string; shape: (number | string | null)[] | null }[];
}

/** The rows to feed, in feature order, and how a row becomes the model's input. */
export interface CsvFeed {
  file: string;
  features: string[];
  rows: number[][];
  /**
   * 'by-name': TinyLCM builds the tensor from the metadata (features or tabular preprocessing, with
   * its scaling); otherwise (names only in `inputSchema`) the simulator feeds float32 `dims` to `input`.
   */
  feed: 'by-name' | { input: string; dims: number[] };
}

/** The device's reading of the metadata; a version it would refuse is refused here too. */
function preprocessing(metadata: FeedModel['metadata']) {
  try {
    return resolvePreprocessing(metadata);
  } catch (err) {
    if (err instanceof PreprocessError) throw new UsageError(err.message);
    throw err;
  }
}

/** The model's feature names: the tabular preprocessing's order, else `features`, else the `inputSchema` names. */
export function featureNames(metadata: FeedModel['metadata']): string[] | null {
  const prep = preprocessing(metadata);
  if (prep?.kind === 'tabular') return [...prep.features];
  const names = metadata.inputSchema?.map((f) => f.name);
  return names?.length ? names : null;
}

/** How rows reach the model: by name through TinyLCM, or as a float32 tensor shaped like the ONNX input. */
export function feedPlan(model: FeedModel, features: readonly string[]): CsvFeed['feed'] {
  const what = `${model.name}@${model.version}`;
  const byName = preprocessing(model.metadata)?.kind === 'tabular';
  const input = model.inputs[0];
  if (!input) throw new UsageError(`model ${what} declares no ONNX input`);
  const shape = input.shape ?? [null, features.length];
  const last = shape[shape.length - 1];
  if (typeof last === 'number' && last !== features.length) {
    throw new UsageError(
      `model ${what}: its input ${JSON.stringify(input.name)} takes ${last} values per row, but it names ${features.length} features`,
    );
  }
  if (byName) return 'by-name';
  if (input.type !== 'float32')
    throw new UsageError(
      `model ${what}: its input ${JSON.stringify(input.name)} is ${input.type}; the simulator feeds float32`,
    );
  // Symbolic or unknown dimensions (the batch) are 1; the last holds the row.
  const dims = shape.map((d, i) => (i === shape.length - 1 ? features.length : typeof d === 'number' ? d : 1));
  if (dims.reduce((a, b) => a * b, 1) !== features.length) {
    throw new UsageError(
      `model ${what}: its input ${JSON.stringify(input.name)} has shape [${shape.join(', ')}], not one row of ${features.length} features`,
    );
  }
  return { input: input.name, dims };
}

/** The CSV text's rows as numbers in feature order. */
export function csvFeedRows(text: string, features: readonly string[], file: string): number[][] {
  let table;
  try {
    table = parseCsv(text);
  } catch (err) {
    if (err instanceof CsvError) throw new UsageError(`${file}: ${err.message}`);
    throw err;
  }
  const index = features.map((f) => table.header.indexOf(f));
  const missing = features.filter((_, j) => index[j] === -1);
  if (missing.length) {
    throw new UsageError(
      `${file} has no column ${missing.map((m) => JSON.stringify(m)).join(', ')} (the model's features: ${features.map((f) => JSON.stringify(f)).join(', ')})`,
    );
  }
  if (table.rows.length === 0) throw new UsageError(`${file} has a header but no rows`);
  return table.rows.map((cells, r) =>
    index.map((c, j) => {
      const cell = cells[c]!.trim();
      const v = Number(cell);
      if (cell === '' || !Number.isFinite(v)) {
        throw new UsageError(
          `${file}: row ${r + 1} (line ${table.lines[r]}), column ${JSON.stringify(features[j])}: ${JSON.stringify(cells[c])} is not a number`,
        );
      }
      return v;
    }),
  );
}

export async function readCsvText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(
      `cannot read --data ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

/** The whole feed for a model: its feature names, the file's rows, how they are fed. */
export function csvFeed(model: FeedModel, text: string, file: string): CsvFeed {
  const features = featureNames(model.metadata);
  if (!features) {
    throw new UsageError(
      `model ${model.name}@${model.version} names no features (metadata "features" or "inputSchema"): the simulator cannot match ${file}'s columns to its input`,
    );
  }
  const feed = feedPlan(model, features);
  return { file, features, rows: csvFeedRows(text, features, file), feed };
}

/** One device's stream over the feed: `total` records, the file's rows in order, from the top again after the last. */
export class CsvStream {
  private i = 0;

  constructor(
    private readonly feed: CsvFeed,
    readonly total: number,
  ) {}

  get position(): number {
    return this.i;
  }

  get done(): boolean {
    return this.i >= this.total;
  }

  next(): InferInput {
    const row = this.feed.rows[this.i++ % this.feed.rows.length]!;
    const plan = this.feed.feed;
    if (plan === 'by-name') {
      const out: Record<string, number> = {};
      this.feed.features.forEach((f, j) => (out[f] = row[j]!));
      return out;
    }
    const feeds: Feeds = { [plan.input]: { type: 'float32', dims: [...plan.dims], data: Float32Array.from(row) } };
    return feeds;
  }
}
