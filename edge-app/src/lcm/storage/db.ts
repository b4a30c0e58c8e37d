import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { DeviceDriftState } from '../drift/device-drift.ts';
import type { LogSegment } from '../logger/segment.ts';
import type { ActiveModelRecord, StoredModel } from '../types.ts';

/**
 * TinyLCM's IndexedDB schema. Each version's upgrade step only ever adds, so a device that skipped
 * versions upgrades through every step in order.
 */
export interface LcmSchema extends DBSchema {
  /** Small settings and device facts (device id, server URL, last sync time). */
  kv: { key: string; value: unknown };
  // v2 — the model store (models/). Other subsystems add their stores in their own later step.
  /**
   * Model bytes by sha256 (lower-case hex), shared by every version with that hash. Stored as a
   * Blob, not an ArrayBuffer: puts cost the same, but Chromium reads a 50 MB Blob back about twice
   * as fast (lazily, from its blob files), and listing or reading metadata never loads the bytes.
   */
  'model-bytes': { key: string; value: Blob };
  /** Each stored version's metadata, keyed [name, version]. */
  'model-versions': { key: [string, number]; value: StoredModel; indexes: { 'by-sha256': string } };
  /** The active version per model name (and the previous one, for rollback). */
  'model-active': { key: string; value: ActiveModelRecord };
  // v3 — the data logger (logger/) and the drift monitors' saved state (drift/).
  /**
   * Inference records in columnar segments (one row per logger flush) by an auto-incremented key
   * (insertion order). The indexes are sparse: a segment is in `unsent` only until it joins a
   * batch, in `by-batch` once it has one, in `acked` (by key) once the server acknowledged it.
   */
  'inference-logs': { key: number; value: LogSegment; indexes: { unsent: number; 'by-batch': string; acked: number } };
  /** DeviceDrift.toJSON() per model version, keyed `${name}@${version}`. */
  'drift-states': { key: string; value: DeviceDriftState };
  // v4 — sync (sync/): document replicas and model downloads in progress.
  /** Each Automerge document replica (saved bytes) and the server heads last seen, by doc id. */
  docs: { key: string; value: { doc: Uint8Array; serverHeads: string[] } };
  /**
   * A model download in progress, by sha256: the bytes received so far as Blob chunks, so a reload
   * or a lost connection resumes with a Range request instead of starting over.
   */
  downloads: {
    key: string;
    value: {
      sha256: string;
      total: number | null;
      etag: string | null;
      chunks: Blob[];
      received: number;
      updatedAt: number;
    };
  };
}

export const DB_NAME = 'tinylcm';
export const DB_VERSION = 4;

export type LcmDb = IDBPDatabase<LcmSchema>;

export function openLcmDb(name = DB_NAME): Promise<LcmDb> {
  return openDB<LcmSchema>(name, DB_VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) db.createObjectStore('kv');
      if (oldVersion < 2) {
        // The model store's stores only. Other subsystems (the logger) add theirs as version 3, 4, …:
        // a step is never edited once shipped, or devices already at that version would miss the change.
        db.createObjectStore('model-bytes');
        db.createObjectStore('model-versions', { keyPath: ['name', 'version'] }).createIndex('by-sha256', 'sha256');
        db.createObjectStore('model-active', { keyPath: 'name' });
      }
      if (oldVersion < 3) {
        const logs = db.createObjectStore('inference-logs', { keyPath: 'key', autoIncrement: true });
        logs.createIndex('unsent', 'unsent');
        logs.createIndex('by-batch', 'batchId');
        logs.createIndex('acked', 'ackedKey');
        db.createObjectStore('drift-states');
      }
      if (oldVersion < 4) {
        db.createObjectStore('docs');
        db.createObjectStore('downloads');
      }
    },
    blocking(_current, _next, event) {
      // Another tab wants a newer schema: step aside instead of blocking its upgrade forever.
      (event.target as IDBDatabase).close();
    },
  });
}

/** A typed key/value view over the `kv` store. */
export class KvStore {
  constructor(private readonly db: LcmDb) {}

  get<T>(key: string): Promise<T | undefined> {
    return this.db.get('kv', key) as Promise<T | undefined>;
  }

  async set(key: string, value: unknown): Promise<void> {
    await this.db.put('kv', value, key);
  }

  async delete(key: string): Promise<void> {
    await this.db.delete('kv', key);
  }
}
