import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

/**
 * TinyLCM's IndexedDB schema. Each version's upgrade step only ever adds, so a device that skipped
 * versions upgrades through every step in order.
 */
export interface LcmSchema extends DBSchema {
  /** Small settings and device facts (device id, server URL, last sync time). */
  kv: { key: string; value: unknown };
}

export const DB_NAME = 'tinylcm';
export const DB_VERSION = 1;

export type LcmDb = IDBPDatabase<LcmSchema>;

export function openLcmDb(name = DB_NAME): Promise<LcmDb> {
  return openDB<LcmSchema>(name, DB_VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) db.createObjectStore('kv');
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
