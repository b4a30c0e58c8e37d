// A reference profile straight from a CSV of any size: the text is read twice
// as a stream (a file on disk, a browser File) and never held whole. Pass one
// counts, sums, keeps min/max and a uniform sample per numeric column; pass
// two sums squared deviations from the exact mean and fills the histograms.
// Up to `sampleSize` rows the result equals buildProfile over the same rows.

import { CsvError, CsvReader } from '../../csv/reader.ts';
import { createRng, type Rng } from '../../random/prng.ts';
import { binEdges, binIndex, quantile } from '../stats/index.ts';
import { unbiasedVariance } from './moments.ts';
import { isMissing, toFiniteNumber } from './values.ts';
import { ProfileInputError } from './build.ts';
import { PROFILE_QUANTILES, PROFILE_VERSION } from './schema.ts';
import type {
  CategoricalFeatureProfile,
  ClassProfile,
  FeatureProfile,
  FeatureSpec,
  NumericFeatureProfile,
  ReferenceProfile,
} from './schema.ts';

/** Text of the CSV, from the start, each time it is called. */
export type CsvTextSource = () => AsyncIterable<string>;

export interface CsvProfileOptions {
  /** The model's features in input order: names (numeric) or specs. Columns are matched by name. */
  features: readonly (string | FeatureSpec)[];
  /** A column of true labels: it makes the profile's class distribution. */
  labelColumn?: string;
  /** Values per numeric column kept for quantiles and bin edges (default 65 536; exact up to it). */
  sampleSize?: number;
  /** Seed of the sample, so the same file gives the same profile. */
  seed?: number;
  /** Distinct values a categorical column or the label column may hold (default 10 000). */
  maxCategories?: number;
  /** Called after each chunk of pass one and two with the rows read so far. */
  onProgress?: (p: { pass: 1 | 2; rows: number }) => void;
}

export const DEFAULT_PROFILE_SAMPLE = 65_536;
/** Sampled values kept in all, across numeric columns (8 bytes each). */
const SAMPLE_BUDGET = 4_000_000;

/** Neumaier-compensated running sum (the same arithmetic as accurateSum). */
class Sum {
  s = 0;
  c = 0;
  add(x: number): void {
    const t = this.s + x;
    this.c += Math.abs(this.s) >= Math.abs(x) ? this.s - t + x : x - t + this.s;
    this.s = t;
  }
  get value(): number {
    return this.s + this.c;
  }
}

interface NumericColumn {
  kind: 'numeric';
  name: string;
  index: number;
  count: number;
  missing: number;
  sum: Sum;
  min: number;
  max: number;
  sample: Float64Array;
  kept: number;
  rng: Rng;
  // Pass two.
  mean: number;
  m2: Sum;
  edges: number[];
  bins: number[];
}

interface CountedColumn {
  kind: 'categorical';
  name: string;
  index: number;
  missing: number;
  counts: Map<string, number>;
}

const quoted = (s: string) => JSON.stringify(s);

function where(row: number, line: number): string {
  return `row ${row} (line ${line})`;
}

/**
 * The reference profile of a CSV's rows. Throws ProfileInputError naming the
 * column (and the row and line) for a missing column, a value that is not a
 * number in a numeric column, or a file with no data rows; CsvError for a
 * malformed file.
 */
export async function profileFromCsv(open: CsvTextSource, options: CsvProfileOptions): Promise<ReferenceProfile> {
  const specs: FeatureSpec[] = options.features.map((f) => (typeof f === 'string' ? { name: f, kind: 'numeric' } : f));
  if (specs.length === 0) throw new ProfileInputError("no features to profile: declare the model's feature names");
  const names = new Set<string>();
  for (const f of specs) {
    if (names.has(f.name)) throw new ProfileInputError(`feature ${quoted(f.name)} is declared twice`);
    names.add(f.name);
  }
  if (options.labelColumn !== undefined && names.has(options.labelColumn)) {
    throw new ProfileInputError(`the label column ${quoted(options.labelColumn)} is also declared as a feature`);
  }
  const numericCount = specs.filter((f) => f.kind === 'numeric').length;
  const sampleSize = Math.max(
    16,
    Math.min(options.sampleSize ?? DEFAULT_PROFILE_SAMPLE, Math.floor(SAMPLE_BUDGET / Math.max(1, numericCount))),
  );
  const maxCategories = options.maxCategories ?? 10_000;
  const seed = options.seed ?? 0x5eed;

  let columns: (NumericColumn | CountedColumn)[] = [];
  let label: CountedColumn | undefined;
  const onHeader = (header: string[]) => {
    const index = new Map(header.map((h, i) => [h, i]));
    const missing = specs.filter((f) => !index.has(f.name)).map((f) => quoted(f.name));
    if (options.labelColumn !== undefined && !index.has(options.labelColumn))
      missing.push(`${quoted(options.labelColumn)} (the label column)`);
    if (missing.length) {
      throw new ProfileInputError(
        `the CSV has no column ${missing.join(', ')}; its header has ${header.map(quoted).join(', ')} (columns are matched to features by name)`,
      );
    }
    columns = specs.map((f, k): NumericColumn | CountedColumn =>
      f.kind === 'numeric'
        ? {
            kind: 'numeric',
            name: f.name,
            index: index.get(f.name)!,
            count: 0,
            missing: 0,
            sum: new Sum(),
            min: Infinity,
            max: -Infinity,
            sample: new Float64Array(sampleSize),
            kept: 0,
            rng: createRng(seed + k),
            mean: 0,
            m2: new Sum(),
            edges: [],
            bins: [],
          }
        : { kind: 'categorical', name: f.name, index: index.get(f.name)!, missing: 0, counts: new Map() },
    );
    if (options.labelColumn !== undefined)
      label = {
        kind: 'categorical',
        name: options.labelColumn,
        index: index.get(options.labelColumn)!,
        missing: 0,
        counts: new Map(),
      };
  };

  const count = (c: CountedColumn, v: string, what: string) => {
    if (isMissing(v)) {
      c.missing++;
      return;
    }
    const n = c.counts.get(v);
    if (n === undefined && c.counts.size >= maxCategories) {
      throw new ProfileInputError(`${what} ${quoted(c.name)} has more than ${maxCategories} distinct values`);
    }
    c.counts.set(v, (n ?? 0) + 1);
  };

  const rows = await readCsv(
    open,
    onHeader,
    (fields, row, line) => {
      for (const c of columns) {
        const v = fields[c.index]!;
        if (c.kind === 'categorical') {
          count(c, v, 'feature');
          continue;
        }
        if (isMissing(v)) {
          c.missing++;
          continue;
        }
        const x = toFiniteNumber(v);
        if (x === undefined)
          throw new ProfileInputError(`column ${quoted(c.name)}, ${where(row, line)}: ${quoted(v)} is not a number`);
        c.count++;
        c.sum.add(x);
        if (x < c.min) c.min = x;
        if (x > c.max) c.max = x;
        // Algorithm R: every value ends up in the sample with the same probability.
        if (c.kept < sampleSize) c.sample[c.kept++] = x;
        else {
          const j = Math.floor(c.rng() * c.count);
          if (j < sampleSize) c.sample[j] = x;
        }
      }
      if (label) count(label, fields[label.index]!, 'the label column');
    },
    (r) => options.onProgress?.({ pass: 1, rows: r }),
  );
  if (rows === 0) throw new ProfileInputError('the CSV has a header but no data rows');

  const numeric = columns.filter((c): c is NumericColumn => c.kind === 'numeric');
  for (const c of numeric) {
    const sorted = c.sample.subarray(0, c.kept).sort();
    c.mean = c.count > 0 ? c.sum.value / c.count : 0;
    c.edges = binEdges(sorted);
    c.bins = new Array<number>(c.edges.length + 1).fill(0);
    c.sample = sorted;
  }
  if (numeric.length > 0) {
    await readCsv(
      open,
      () => {},
      (fields) => {
        for (const c of numeric) {
          const x = toFiniteNumber(fields[c.index]!);
          if (x === undefined) continue;
          const d = x - c.mean;
          c.m2.add(d * d);
          c.bins[binIndex(c.edges, x)]! += 1;
        }
      },
      (r) => options.onProgress?.({ pass: 2, rows: r }),
    );
  }

  const features: FeatureProfile[] = columns.map((c) =>
    c.kind === 'numeric' ? numericProfile(c) : categoricalProfile(c),
  );
  const profile: ReferenceProfile = { version: PROFILE_VERSION, rows, features };
  if (label) {
    const l = categoricalProfile(label);
    const classes: ClassProfile = {
      column: label.name,
      count: l.count,
      missing: l.missing,
      labels: l.categories,
      counts: l.counts,
    };
    profile.classes = classes;
  }
  return profile;
}

function numericProfile(c: NumericColumn): NumericFeatureProfile {
  const empty = c.count === 0;
  const m2 = empty ? 0 : c.m2.value;
  return {
    name: c.name,
    kind: 'numeric',
    count: c.count,
    mean: empty ? null : c.mean,
    m2,
    variance: unbiasedVariance({ count: c.count, m2 }),
    min: empty ? null : c.min,
    max: empty ? null : c.max,
    missing: c.missing,
    quantiles: empty ? [] : PROFILE_QUANTILES.map((q) => ({ q, value: quantile(c.sample, q) })),
    quantileSource: 'sample',
    histogram: { edges: c.edges, counts: c.bins },
  };
}

function categoricalProfile(c: CountedColumn): CategoricalFeatureProfile {
  const categories = [...c.counts.keys()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  const counts = categories.map((k) => c.counts.get(k)!);
  return {
    name: c.name,
    kind: 'categorical',
    count: counts.reduce((a, b) => a + b, 0),
    missing: c.missing,
    categories,
    counts,
  };
}

/** Streams the CSV through a reader; resolves with the number of data rows (1-based row numbers go to onRow). */
async function readCsv(
  open: CsvTextSource,
  onHeader: (header: string[]) => void,
  onRow: (fields: string[], row: number, line: number) => void,
  onChunk: (rows: number) => void,
): Promise<number> {
  let rows = 0;
  const reader = new CsvReader((fields, line) => onRow(fields, ++rows, line), onHeader);
  for await (const chunk of open()) {
    reader.push(chunk);
    onChunk(rows);
  }
  reader.end();
  return rows;
}

/** Text of a byte stream (UTF-8), decoded chunk by chunk. */
export async function* decodeUtf8(chunks: AsyncIterable<Uint8Array>): AsyncIterable<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (const chunk of chunks) yield decoder.decode(chunk, { stream: true });
    yield decoder.decode();
  } catch (err) {
    if (err instanceof TypeError) throw new CsvError('the file is not UTF-8 text');
    throw err;
  }
}
