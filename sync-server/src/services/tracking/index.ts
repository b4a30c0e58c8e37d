import { Invalid } from '../errors.ts';
import type { BlobStore } from '../../store/blobs/index.ts';
import type { Db, Queryable } from '../../store/db/index.ts';
import { artifactKeyOf, artifactSegments, mlflowArtifactsPath } from './artifact-paths.ts';
import { ArtifactStore, type FileInfo } from './artifacts.ts';
import { Experiments } from './experiments.ts';
import { once, pruneKeys, type IdempotentRequest } from './idempotency.ts';
import { RunData } from './run-data.ts';
import { Runs } from './runs.ts';
import { searchRuns, type SearchRunsInput } from './search-runs.ts';

export type { IdempotentRequest } from './idempotency.ts';

/** The tracking store bound to one Queryable: the pool for reads, a transaction for writes. */
export function trackingStore(q: Queryable) {
  const experiments = new Experiments(q);
  const runs = new Runs(q, experiments);
  return {
    experiments,
    runs,
    data: new RunData(q, runs),
    searchRuns: (input: SearchRunsInput) => searchRuns(q, runs, input),
  };
}
export type TrackingStore = ReturnType<typeof trackingStore>;

/** Experiment tracking behind MLflow's REST API, and MLflow's artifact store. */
export class TrackingService {
  /** Reads, straight on the pool. */
  readonly store: TrackingStore;
  readonly artifacts: ArtifactStore;
  #lastPrune = 0;

  constructor(
    private readonly db: Db,
    blobs: BlobStore,
  ) {
    this.store = trackingStore(db);
    this.artifacts = new ArtifactStore(blobs);
  }

  /**
   * Runs a write in one transaction, so a failing request (say a param logged again with another
   * value) changes nothing. With an Idempotency-Key the write is applied once per key.
   */
  write<T>(idempotency: IdempotentRequest | undefined, fn: (store: TrackingStore) => Promise<T>): Promise<T> {
    if (idempotency) this.pruneNow();
    return this.db.transaction((tx) =>
      idempotency ? once(tx, idempotency, () => fn(trackingStore(tx))) : fn(trackingStore(tx)),
    );
  }

  /** At most hourly per instance, outside any request's transaction; a failure is retried next hour. */
  private pruneNow(): void {
    if (Date.now() - this.#lastPrune < 3_600_000) return;
    this.#lastPrune = Date.now();
    pruneKeys(this.db).catch(() => {});
  }

  /** artifacts/list of the tracking API: a run's artifacts, with paths relative to the run's root. */
  async listRunArtifacts(runId: string, path: string | undefined): Promise<{ root_uri: string; files: FileInfo[] }> {
    const run = await this.store.runs.row(runId);
    const relative = artifactSegments(path ?? '').join('/');
    const root = mlflowArtifactsPath(run.artifact_uri);
    const files = await this.artifacts.list(relative ? `${root}/${relative}` : root);
    return {
      root_uri: run.artifact_uri,
      files: files.map((f) => ({ ...f, path: relative ? `${relative}/${f.path}` : f.path })),
    };
  }

  /**
   * The blob key holding an artifact named by `runs:/<run_id>/<path>` or
   * `mlflow-artifacts:/<path>` (for the model registry to read run artifacts).
   */
  async artifactKey(uri: string): Promise<string> {
    const runs = /^runs:\/([^/]+)\/(.*)$/.exec(uri);
    if (runs) {
      const run = await this.store.runs.row(runs[1]!);
      const path = artifactSegments(runs[2]!).join('/');
      if (!path) throw new Invalid(`'${uri}' names the run's artifact root, not an artifact`);
      return artifactKeyOf(`${mlflowArtifactsPath(run.artifact_uri)}/${path}`);
    }
    if (uri.startsWith('mlflow-artifacts:')) {
      const path = mlflowArtifactsPath(uri);
      if (!path) throw new Invalid(`'${uri}' names no artifact`);
      return artifactKeyOf(path);
    }
    throw new Invalid(`Unsupported artifact URI '${uri}': expected runs:/<run_id>/<path> or mlflow-artifacts:/<path>`);
  }
}
