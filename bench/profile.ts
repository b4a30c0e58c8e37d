/**
 * `npm run bench -- profile [--rows N] [--features D]`: building a reference profile from a training
 * CSV, streamed from disk (profileFromCsv, what the server and `tinysphere profile build` run) against
 * parsing the whole file and calling buildProfile on rows held in memory (the old way), on the same
 * file in the same run. Prints one JSON object: throughput of each and the peak heap growth.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseCsv } from '../shared/csv/reader.ts';
import { toCsv } from '../shared/csv/writer.ts';
import { buildProfile, decodeUtf8, profileFromCsv } from '../shared/drift/profile/index.ts';
import { createRng } from '../shared/random/prng.ts';

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '500000' }, features: { type: 'string', default: '8' } },
});
const rows = Number(values.rows);
const d = Number(values.features);
const features = Array.from({ length: d }, (_, j) => `Feature ${j} (unit)`);

const dir = await mkdtemp(path.join(tmpdir(), 'bench-profile-'));
const file = path.join(dir, 'train.csv');
const rng = createRng(1);
const records: unknown[][] = [[...features, 'label']];
for (let i = 0; i < rows; i++) records.push([...features.map((_, j) => (rng() * 10 ** (j % 4)).toFixed(4)), i % 3]);
await writeFile(file, toCsv(records, '\n'));
records.length = 0;
const bytes = (await stat(file)).size;

/** Runs fn while sampling the heap every 5 ms; answers its result, seconds and peak heap growth in MB. */
async function measure<T>(fn: () => Promise<T>): Promise<{ result: T; seconds: number; peakHeapMb: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5);
  const t0 = performance.now();
  const result = await fn();
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  return { result, seconds, peakHeapMb: Math.round((peak - base) / 1e5) / 10 };
}

const streamed = await measure(() =>
  profileFromCsv(() => decodeUtf8(createReadStream(file, { highWaterMark: 256 * 1024 })), {
    features,
    labelColumn: 'label',
  }),
);
const whole = await measure(async () => {
  const table = parseCsv(await readFile(file, 'utf8'));
  const objects = table.rows.map((r) => Object.fromEntries(table.header.map((h, k) => [h, r[k]])));
  return buildProfile(objects, {
    features: features.map((name) => ({ name, kind: 'numeric' as const })),
    prediction: 'label',
  });
});
await rm(dir, { recursive: true, force: true });

const round = (x: number, k = 1) => Math.round(x * 10 ** k) / 10 ** k;
process.stdout.write(
  `${JSON.stringify({
    rows,
    features: d,
    fileMb: round(bytes / 1e6),
    streamed: {
      seconds: round(streamed.seconds, 2),
      rowsPerSec: Math.round(rows / streamed.seconds),
      mbPerSec: round(bytes / 1e6 / streamed.seconds),
      peakHeapMb: streamed.peakHeapMb,
    },
    inMemory: {
      seconds: round(whole.seconds, 2),
      rowsPerSec: Math.round(rows / whole.seconds),
      mbPerSec: round(bytes / 1e6 / whole.seconds),
      peakHeapMb: whole.peakHeapMb,
    },
    speedRatio: round(whole.seconds / streamed.seconds, 2),
    heapRatio: round(whole.peakHeapMb / Math.max(0.1, streamed.peakHeapMb), 1),
    sameMeans: streamed.result.features.every(
      (f, j) =>
        f.kind === 'numeric' &&
        whole.result.features[j]!.kind === 'numeric' &&
        Math.abs(f.mean! - (whole.result.features[j] as typeof f).mean!) < 1e-9,
    ),
  })}\n`,
);
