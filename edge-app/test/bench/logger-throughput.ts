/**
 * How many inference records per second the DataLogger sustains into IndexedDB, from log() to the
 * committed transaction. For the `overhead` benchmark (loggerRecordsPerSec): call it from a page
 * or a browser test in Chromium; it uses a throw-away database and deletes it afterwards.
 */
import { deleteDB } from 'idb';
import { DataLogger } from '../../src/lcm/logger/index.ts';
import { openLcmDb } from '../../src/lcm/storage/db.ts';
import type { InferenceObservation } from '../../src/lcm/types.ts';

export interface LoggerThroughput {
  recordsPerSec: number;
  records: number;
  ms: number;
  batchSize: number;
  /**
   * Mean time of the synchronous log() calls alone, per record. Here writes lag behind the loop,
   * so every segment gets fresh columns; at real inference rates they are reused (less).
   */
  logCallUs: number;
}

/** Observations shaped like the demo model's (4 features, 5 classes), made before timing starts. */
function observations(n: number): InferenceObservation[] {
  const model = { name: 'seattle-weather', version: 1, sha256: '5e'.repeat(32) };
  const labels = ['drizzle', 'fog', 'rain', 'snow', 'sun'];
  const t0 = Date.now();
  return Array.from({ length: n }, (_, i) => {
    const k = i % 5;
    return {
      id: `bench-${i}`,
      ts: t0 + i,
      model,
      latencyMs: 0.04 + (i % 7) * 0.001,
      features: [(i % 13) * 0.5, 10 + (i % 11), 3 + (i % 9), 2 + (i % 5) * 0.3],
      probabilities: [0.05, 0.05, 0.2, 0.1, 0.6],
      classIndex: k,
      label: labels[k] as string,
      confidence: 0.6,
      margin: 0.4,
      entropy: 1.1,
      batch: 1,
    };
  });
}

export async function measureLoggerThroughput(n = 100_000, batchSize = 1000): Promise<LoggerThroughput> {
  const name = `tinylcm-bench-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const db = await openLcmDb(name);
  try {
    const logger = new DataLogger(db, { batchSize, flushIntervalMs: 60_000 });
    const obs = observations(n);
    const start = performance.now();
    let syncMs = 0;
    // Log in slices that yield between them, as inferences arriving over time would.
    for (let i = 0; i < n; i += batchSize) {
      const s = performance.now();
      for (let j = i; j < Math.min(n, i + batchSize); j++) logger.log(obs[j] as InferenceObservation);
      syncMs += performance.now() - s;
      await Promise.resolve();
    }
    await logger.close();
    const ms = performance.now() - start;
    const stored = (await logger.stats()).count;
    if (stored !== n) throw new Error(`logger stored ${stored} of ${n} records`);
    return { recordsPerSec: Math.round(n / (ms / 1000)), records: n, ms, batchSize, logCallUs: (syncMs * 1000) / n };
  } finally {
    db.close();
    await deleteDB(name);
  }
}
