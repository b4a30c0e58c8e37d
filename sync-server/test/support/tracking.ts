import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MLFLOW_ERROR_STATUS, mlflowAnswer } from '../../src/http/mlflow-errors.ts';
import { DomainError } from '../../src/services/errors.ts';
import { TrackingService, type TrackingStore } from '../../src/services/tracking/index.ts';
import { FsBlobStore } from '../../src/store/blobs/index.ts';
import { migratedPglite } from '../../../testing/test-db.ts';

/** Rejects with a domain error of this code (an MLflow code: the one an MLflow client is told), and a message matching the pattern. */
export const rejectsWith = (p: Promise<unknown>, code: string, pattern?: RegExp) =>
  assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof DomainError, String(e));
    assert.equal(code in MLFLOW_ERROR_STATUS ? mlflowAnswer(e).code : e.code, code, e.message);
    if (pattern) assert.match(e.message, pattern);
    return true;
  });

/** A TrackingService over an in-memory PGlite (migrated) and a temporary blob folder. */
export async function openTracking() {
  const db = await migratedPglite();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tracking-'));
  const t = new TrackingService(db, await FsBlobStore.open(dir));
  const w = <T>(fn: (s: TrackingStore) => Promise<T>) => t.write(undefined, fn);
  return {
    db,
    t,
    w,
    newExperiment: async (name: string) => (await w((s) => s.experiments.create({ name }))).experiment_id,
    newRun: async (experimentId: string, extra: { run_name?: string; start_time?: number } = {}) =>
      (await w((s) => s.runs.create({ experiment_id: experimentId, ...extra }))).run.info.run_id,
    async close() {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
