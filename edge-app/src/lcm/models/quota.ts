// Quota safety: the origin's storage is shared by models, logs and sync state, and a browser
// under storage pressure evicts a best-effort origin whole. So the store asks for persistent
// storage once, and refuses a model that would leave less than a safety margin free instead of
// filling the quota.

import type { KvStore } from '../storage/db.ts';
import { ModelQuotaError } from './errors.ts';

/** The part of `navigator.storage` the store uses; inject a fake to simulate a nearly full quota. */
export interface StorageLike {
  estimate(): Promise<{ usage?: number; quota?: number }>;
  persist?(): Promise<boolean>;
  persisted?(): Promise<boolean>;
}

/** What the store recorded about persistent storage (in `kv`, key `PERSIST_KEY`). */
export interface PersistenceRecord {
  persisted: boolean;
  /** Whether `persist()` was called (false: it was already persisted, or the API is missing). */
  asked: boolean;
  at: number;
}

export interface SpaceCheck {
  usage: number;
  quota: number;
  free: number;
  margin: number;
}

export const PERSIST_KEY = 'models.persistence';

const MB = 1e6;

/**
 * Free space kept on top of a model: 10 % of the quota, at least 50 MB. The floor leaves logs and
 * sync state room on small quotas; the share covers the estimate's imprecision on large ones
 * (browsers pad and round `estimate()` so as not to leak exact sizes).
 */
export function defaultSafetyMargin(quota: number): number {
  return Math.max(0.1 * quota, 50 * MB);
}

/** `navigator.storage` where it exists (secure browser contexts); Node and old browsers have none. */
export function platformStorage(): StorageLike | null {
  const nav = (globalThis as { navigator?: { storage?: StorageLike } }).navigator;
  return nav?.storage && typeof nav.storage.estimate === 'function' ? nav.storage : null;
}

export class StorageGuard {
  private persisting: Promise<PersistenceRecord> | undefined;

  constructor(
    private readonly storage: StorageLike | null,
    private readonly kv: KvStore,
    private readonly margin: (quota: number) => number = defaultSafetyMargin,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Asks for persistent storage once per store (the answer can change, e.g. after the PWA is
   * installed, and Chromium never prompts; Firefox remembers a denial) and records the answer.
   * Never rejects: a failure to ask is recorded as not persisted.
   */
  requestPersistence(): Promise<PersistenceRecord> {
    this.persisting ??= this.askPersistence();
    return this.persisting;
  }

  private async askPersistence(): Promise<PersistenceRecord> {
    let record: PersistenceRecord = { persisted: false, asked: false, at: this.now() };
    try {
      if (await this.storage?.persisted?.()) record = { ...record, persisted: true };
      else if (this.storage?.persist) record = { ...record, asked: true, persisted: await this.storage.persist() };
    } catch {
      // The API exists but refused (e.g. an opaque origin): leave the record at "not persisted".
    }
    try {
      await this.kv.set(PERSIST_KEY, record);
    } catch {
      // Recording is informative only; a failed write must not block storing a model.
    }
    return record;
  }

  /** The storage figures, or undefined when the browser gives none (then only IndexedDB's own quota error guards). */
  async figures(): Promise<{ usage: number; quota: number } | undefined> {
    if (!this.storage) return undefined;
    let e: { usage?: number; quota?: number };
    try {
      e = await this.storage.estimate();
    } catch {
      return undefined;
    }
    if (typeof e.quota !== 'number' || !Number.isFinite(e.quota) || e.quota <= 0) return undefined;
    return { usage: typeof e.usage === 'number' && e.usage > 0 ? e.usage : 0, quota: e.quota };
  }

  /**
   * Resolves when `needed` bytes fit with the safety margin to spare (or when the browser gives no
   * figures), otherwise rejects with ModelQuotaError naming the model.
   */
  async ensure(model: string, needed: number): Promise<SpaceCheck | undefined> {
    void this.requestPersistence();
    const f = await this.figures();
    if (!f) return undefined;
    const margin = this.margin(f.quota);
    const free = Math.max(0, f.quota - f.usage);
    if (needed + margin > free) throw new ModelQuotaError(model, { needed, usage: f.usage, quota: f.quota, margin });
    return { ...f, free, margin };
  }
}
