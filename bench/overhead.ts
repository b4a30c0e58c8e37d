/**
 * TinyLCM's overhead per inference: median latency of bare `session.run` against the full TinyLCM
 * path (feed validation, session.run, classifier summary, monitor, drift detectors, logger) in the
 * same process, both WITHOUT a worker round trip, on the same Feeds, blocks interleaved so drift in
 * machine load hits both alike. Node, onnxruntime-web (wasm, 1 thread), IndexedDB from
 * fake-indexeddb. Plus loggerRecordsPerSec: what the DataLogger sustains into Chromium's IndexedDB.
 *   npm run bench -- overhead [--iterations 20000] [--no-browser]
 * Prints one JSON object.
 */
import 'fake-indexeddb/auto';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createHash } from 'node:crypto';
import { buildDemoModel } from '../shared/demo/seattle-weather.ts';
import { sessionBackend, TinyLCM, type Feeds } from '../edge-app/src/lcm/index.ts';
import { nodeOrt } from '../edge-app/src/lcm/node.ts';
import { imageModel } from './models/image-model.ts';
import { chromiumLoggerThroughput } from './support/logger-in-chromium.ts';
import { seattleWeatherCsvUrl } from '../shared/demo/dataset.ts';

const { values } = parseArgs({
  options: { iterations: { type: 'string', default: '20000' }, 'no-browser': { type: 'boolean', default: false } },
});
const iterations = Number(values.iterations);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

async function measure(
  name: string,
  bytes: Uint8Array,
  feeds: () => Feeds,
  metadata: Record<string, unknown>,
  n: number,
) {
  const ort = nodeOrt();
  const bare = await ort.InferenceSession.create(bytes);
  const input = Object.entries(feeds()).map(
    ([k, t]) => [k, new ort.Tensor(t.type, t.data as Float32Array, t.dims)] as const,
  );
  const bareFeeds = Object.fromEntries(input);
  const lcm = await TinyLCM.open({
    backend: sessionBackend(ort),
    db: `bench-${name}-${Date.now()}`,
    models: { storage: null },
  });
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  await lcm.models.add(bytes, { name, version: 1, sha256, metadata }, { activate: true });
  await lcm.activate(name, 1);
  const lcmFeeds = feeds();
  const bareTimes: number[] = [];
  const lcmTimes: number[] = [];
  const block = 500;
  for (let done = 0; done < n; done += block) {
    for (let i = 0; i < block; i++) {
      const t = performance.now();
      await bare.run(bareFeeds);
      bareTimes.push(performance.now() - t);
    }
    for (let i = 0; i < block; i++) {
      const t = performance.now();
      await lcm.infer(lcmFeeds);
      lcmTimes.push(performance.now() - t);
    }
  }
  const stats = await lcm.logs.stats();
  await lcm.close();
  await bare.release();
  // Warm-up blocks are dropped: both sides JIT and fill their caches in the first block.
  const b = median(bareTimes.slice(block));
  const l = median(lcmTimes.slice(block));
  return {
    bareMsMedian: round(b),
    lcmMsMedian: round(l),
    overheadRatio: Math.round((l / b) * 1000) / 1000,
    iterations: n,
    recordsLogged: stats.count + stats.buffered,
  };
}

const round = (x: number) => Math.round(x * 10000) / 10000;

const csv = await readFile(new URL(seattleWeatherCsvUrl(import.meta.resolve)), 'utf8');
const demo = buildDemoModel(csv);
const demoFeeds = (): Feeds => ({
  features: { type: 'float32', dims: [1, 4], data: new Float32Array([0.5, 12.2, 5.6, 3.1]) },
});
const top = await measure(
  'seattle-weather',
  demo.onnx,
  demoFeeds,
  { classLabels: demo.metadata.classLabels, features: demo.metadata.features },
  iterations,
);

const image = imageModel();
const pixels = new Float32Array(3 * 64 * 64).map((_, i) => ((i * 2654435761) % 1000) / 1000);
const imageFeeds = (): Feeds => ({ image: { type: 'float32', dims: [1, 3, 64, 64], data: pixels } });
const img = await measure(
  'image-cnn',
  image.bytes,
  imageFeeds,
  { classLabels: image.labels },
  Math.max(1000, Math.round(iterations / 10)),
);

const logger = values['no-browser'] ? null : await chromiumLoggerThroughput(100_000);
process.stdout.write(
  `${JSON.stringify({
    where: `node ${process.version}, onnxruntime-web wasm 1 thread, in-process (no worker round trip on either side)`,
    ...top,
    image: { ...img, model: image.description },
    loggerRecordsPerSec: logger?.recordsPerSec ?? null,
    logger,
  })}\n`,
);
