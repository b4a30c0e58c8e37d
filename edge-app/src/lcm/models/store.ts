// The on-device model store: verified versions in IndexedDB, one active version per model name
// switched atomically, the previous one kept for a one-step rollback, older ones collected.

import { blobSource, bytesSource, readOnnxMetadata } from '../../../../shared/onnx/reader.ts';
import type { OnnxMetadata } from '../../../../shared/onnx/reader.ts';
import type { VersionMetadata } from '../../../../shared/protocol/registry.ts';
import { KvStore, openLcmDb, type LcmDb } from '../storage/db.ts';
import type { ActiveModelRecord, StoredModel } from '../types.ts';
import type { ActiveModel, AddOptions, ImportOptions, ModelInput, ModelStoreOptions, VersionKey } from './api.ts';
import {
  ModelIntegrityError,
  ModelNotFoundError,
  ModelQuotaError,
  ModelStateError,
  isQuotaExceeded,
} from './errors.ts';
import { normalizeSha256, sha256Hex } from './hash.ts';
import { isModelName, metadataFromOnnx, nameFromOnnx } from './import-meta.ts';
import { StorageGuard, platformStorage, type PersistenceRecord, type SpaceCheck } from './quota.ts';
import { versionsToCollect } from './retention.ts';
import { inTransaction, type ModelTx } from './tx.ts';

interface Pending {
  name: string;
  /** Undefined: the next free version of `name`, chosen inside the write transaction. */
  version: number | undefined;
  sha256: string;
  metadata: VersionMetadata;
  onnx: OnnxMetadata;
  origin: 'registry' | 'file';
}

const label = (name: string, version?: number): string => (version === undefined ? name : `${name} v${version}`);
const ofName = (name: string): IDBKeyRange => IDBKeyRange.bound([name, -Infinity], [name, Infinity]);

function checkKey(name: string, version: number): void {
  if (!isModelName(name))
    throw new TypeError(
      `model name ${JSON.stringify(name)}: 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit`,
    );
  if (!Number.isSafeInteger(version) || version < 1)
    throw new TypeError(`${name}: version must be a whole number ≥ 1, got ${version}`);
}

/** An exact-size copy: what is hashed is what gets stored, whatever the caller does to its buffer afterwards. */
async function ownBytes(data: Uint8Array | Blob): Promise<Uint8Array<ArrayBuffer>> {
  return data instanceof Uint8Array ? data.slice() : new Uint8Array(await data.arrayBuffer());
}

export class ModelStore {
  private readonly kv: KvStore;
  private readonly guard: StorageGuard;
  private readonly now: () => number;

  constructor(
    readonly db: LcmDb,
    options: ModelStoreOptions = {},
  ) {
    this.kv = new KvStore(db);
    const storage = options.storage === undefined ? platformStorage() : options.storage;
    this.now = options.now ?? Date.now;
    this.guard = new StorageGuard(storage, this.kv, options.safetyMargin, this.now);
  }

  /** Opens (and upgrades) the TinyLCM database; `close()` then closes it. */
  static async open(dbName?: string, options?: ModelStoreOptions): Promise<ModelStore> {
    return new ModelStore(await openLcmDb(dbName), options);
  }

  close(): void {
    this.db.close();
  }

  /**
   * Stores a version from the registry after checking its bytes hash to `input.sha256` (else
   * ModelIntegrityError), that they are an ONNX model (else InvalidOnnxError) and that they fit
   * (else ModelQuotaError). Nothing is kept on any refusal. Adding a version already stored with
   * the same hash returns it; with another hash it is refused (ModelStateError).
   */
  async add(data: Uint8Array | Blob, input: ModelInput, options: AddOptions = {}): Promise<StoredModel> {
    checkKey(input.name, input.version);
    const expected = normalizeSha256(input.sha256, label(input.name, input.version));
    const bytes = await ownBytes(data);
    const actual = await sha256Hex(bytes);
    if (actual !== expected) throw new ModelIntegrityError(label(input.name, input.version), expected, actual);
    const onnx = await readOnnxMetadata(bytesSource(bytes));
    const pending = {
      ...input,
      sha256: actual,
      metadata: input.metadata ?? {},
      onnx,
      origin: input.origin ?? 'registry',
    };
    return this.write(bytes, pending, options);
  }

  /**
   * Imports a model from a file, for devices that never see a server: the sha256 is computed, the
   * name and version come from `options` or from the file (graph name, else producer, else file
   * name; next local version). Importing a file already stored under that name returns that version.
   */
  async importFile(file: Blob, options: ImportOptions = {}): Promise<StoredModel> {
    // Parse first, from the Blob: a file that is not ONNX is refused before it is loaded whole.
    const onnx = await readOnnxMetadata(blobSource(file));
    const name = options.name ?? nameFromOnnx(onnx, (file as Partial<File>).name);
    checkKey(name, options.version ?? 1);
    const bytes = await ownBytes(file);
    const sha256 = await sha256Hex(bytes);
    const metadata = options.metadata ?? metadataFromOnnx(onnx);
    return this.write(bytes, { name, version: options.version, sha256, metadata, onnx, origin: 'file' }, options);
  }

  /** Checks that `size` more bytes would fit with the safety margin; for a download of known size too. */
  ensureSpace(size: number, model = 'model'): Promise<SpaceCheck | undefined> {
    return this.guard.ensure(model, size);
  }

  /** Asks for persistent storage (once per store; also done before the first write) and records the answer. */
  requestPersistence(): Promise<PersistenceRecord> {
    return this.guard.requestPersistence();
  }

  /**
   * Reads go through inTransaction too: idb's one-call shortcuts leave a read's `tx.done` without a
   * handler, so an aborted read (storage cleared, connection closed) would be an unhandled rejection.
   */
  private read<T>(body: (tx: ModelTx<'readonly'>) => Promise<T>): Promise<T> {
    return inTransaction(this.db, 'readonly', body);
  }

  private async write(bytes: Uint8Array<ArrayBuffer>, p: Pending, options: AddOptions): Promise<StoredModel> {
    const what = label(p.name, p.version);
    void this.guard.requestPersistence();
    // Bytes another version already stored cost nothing; re-adding a stored version must not be refused on a full disk.
    const known = await this.read((tx) => tx.objectStore('model-bytes').getKey(p.sha256));
    if (known === undefined) await this.guard.ensure(what, bytes.byteLength);
    try {
      return await inTransaction(this.db, 'readwrite', async (tx) => {
        const versions = tx.objectStore('model-versions');
        let version = p.version;
        if (version === undefined) {
          const same = (await versions.index('by-sha256').getAll(p.sha256)).find((m) => m.name === p.name);
          if (same) return this.activateIn(tx, same, options);
          const keys = await versions.getAllKeys(ofName(p.name));
          version = Math.max(0, ...keys.map(([, v]) => v)) + 1;
        }
        const existing = await versions.get([p.name, version]);
        if (existing) {
          if (existing.sha256 !== p.sha256) {
            throw new ModelStateError(
              `${label(p.name, version)} is already stored with sha256 ${existing.sha256}, not ${p.sha256}; a version's bytes never change`,
            );
          }
          return this.activateIn(tx, existing, options);
        }
        const model: StoredModel = {
          name: p.name,
          version,
          sha256: p.sha256,
          size: bytes.byteLength,
          metadata: p.metadata,
          onnx: p.onnx,
          storedAt: this.now(),
          origin: p.origin,
        };
        const store = tx.objectStore('model-bytes');
        if ((await store.getKey(p.sha256)) === undefined) await store.put(new Blob([bytes]), p.sha256);
        await versions.put(model);
        return this.activateIn(tx, model, options);
      });
    } catch (err) {
      if (!isQuotaExceeded(err)) throw err;
      // The transaction was aborted, so nothing is half-written; say how full the storage is.
      const f = await this.guard.figures();
      throw new ModelQuotaError(
        what,
        { needed: bytes.byteLength, usage: f?.usage, quota: f?.quota, margin: undefined },
        { cause: err },
      );
    }
  }

  private async activateIn(tx: ModelTx<'readwrite'>, model: StoredModel, options: AddOptions): Promise<StoredModel> {
    if (options.activate) await this.switchTo(tx, model.name, model.version);
    return model;
  }

  /** Queues the pointer switch; the caller's transaction makes it all-or-nothing. */
  private async switchTo(tx: ModelTx<'readwrite'>, name: string, version: number): Promise<ActiveModelRecord> {
    const active = tx.objectStore('model-active');
    const current = await active.get(name);
    if (current?.version === version) return current;
    const record: ActiveModelRecord = { name, version, activatedAt: this.now() };
    if (current) record.previous = current.version;
    await active.put(record);
    return record;
  }

  /**
   * Makes a stored version the active one and records the one it replaces as `previous`, in a
   * single readwrite transaction: if anything fails before the commit, the old version stays active.
   */
  activate(name: string, version: number): Promise<ActiveModelRecord> {
    return inTransaction(this.db, 'readwrite', async (tx) => {
      if (!(await tx.objectStore('model-versions').getKey([name, version]))) {
        throw new ModelNotFoundError(`${label(name, version)} is not stored on this device`);
      }
      return this.switchTo(tx, name, version);
    });
  }

  /**
   * One step back: the previous version becomes active again, atomically. The version rolled back
   * from is recorded as `rolledBackFrom` and is no longer protected; there is no second step back.
   */
  rollback(name: string): Promise<ActiveModelRecord> {
    return inTransaction(this.db, 'readwrite', async (tx) => {
      const active = tx.objectStore('model-active');
      const current = await active.get(name);
      if (!current) throw new ModelStateError(`${name}: no active version to roll back from`);
      const previous = current.previous;
      if (previous === undefined)
        throw new ModelStateError(`${label(name, current.version)}: no previous version to roll back to`);
      if (!(await tx.objectStore('model-versions').getKey([name, previous]))) {
        throw new ModelNotFoundError(`${label(name, previous)}, the previous version, is no longer stored`);
      }
      const record: ActiveModelRecord = {
        name,
        version: previous,
        activatedAt: this.now(),
        rolledBackFrom: current.version,
      };
      await active.put(record);
      return record;
    });
  }

  /** The active version of `name` with its metadata, or undefined when none is active. */
  active(name: string): Promise<ActiveModel | undefined> {
    return this.read(async (tx) => {
      const record = await tx.objectStore('model-active').get(name);
      const model = record && (await tx.objectStore('model-versions').get([name, record.version]));
      return record && model ? { ...record, model } : undefined;
    });
  }

  /** Every model name's active record. */
  activeRecords(): Promise<ActiveModelRecord[]> {
    return this.read((tx) => tx.objectStore('model-active').getAll());
  }

  /** Stored versions, by name then version; of one model when `name` is given. */
  list(name?: string): Promise<StoredModel[]> {
    return this.read((tx) => tx.objectStore('model-versions').getAll(name === undefined ? undefined : ofName(name)));
  }

  async get(ref: VersionKey): Promise<StoredModel | undefined> {
    const model = await this.read((tx) => tx.objectStore('model-versions').get([ref.name, ref.version]));
    return model && (ref.sha256 === undefined || ref.sha256 === model.sha256) ? model : undefined;
  }

  /** The stored bytes as a Blob (cheap to hand to a worker); ModelNotFoundError when not stored. */
  blob(ref: VersionKey): Promise<Blob> {
    return this.read(async (tx) => {
      const model = await tx.objectStore('model-versions').get([ref.name, ref.version]);
      const blob =
        model && (ref.sha256 === undefined || ref.sha256 === model.sha256)
          ? await tx.objectStore('model-bytes').get(model.sha256)
          : undefined;
      if (!blob)
        throw new ModelNotFoundError(
          `${label(ref.name, ref.version)}${ref.sha256 ? ` (sha256 ${ref.sha256})` : ''} is not stored on this device`,
        );
      return blob;
    });
  }

  /** The stored bytes, for the runtime (its own buffer, transferable). */
  async bytes(ref: VersionKey): Promise<Uint8Array<ArrayBuffer>> {
    return new Uint8Array(await (await this.blob(ref)).arrayBuffer());
  }

  /** Re-hashes the stored bytes: false when storage corrupted them since they were verified. */
  async verify(ref: VersionKey): Promise<boolean> {
    const model = await this.get(ref);
    if (!model) throw new ModelNotFoundError(`${label(ref.name, ref.version)} is not stored on this device`);
    return (await sha256Hex(await this.bytes(model))) === model.sha256;
  }

  /**
   * Removes a version and, when no other version shares its sha256, its bytes. Refuses the active
   * and the previous version (ModelStateError). False when it was not stored.
   */
  remove(ref: VersionKey): Promise<boolean> {
    return inTransaction(this.db, 'readwrite', async (tx) => {
      const model = await tx.objectStore('model-versions').get([ref.name, ref.version]);
      if (!model || (ref.sha256 !== undefined && ref.sha256 !== model.sha256)) return false;
      const active = await tx.objectStore('model-active').get(ref.name);
      if (active?.version === ref.version)
        throw new ModelStateError(`${label(ref.name, ref.version)} is the active version; activate another one first`);
      if (active?.previous === ref.version)
        throw new ModelStateError(
          `${label(ref.name, ref.version)} is kept for rollback; it can go once another version has been activated after ${label(ref.name, active.version)}`,
        );
      await this.deleteIn(tx, model);
      return true;
    });
  }

  private async deleteIn(tx: ModelTx<'readwrite'>, model: StoredModel): Promise<void> {
    const versions = tx.objectStore('model-versions');
    await versions.delete([model.name, model.version]);
    if ((await versions.index('by-sha256').count(model.sha256)) === 0)
      await tx.objectStore('model-bytes').delete(model.sha256);
  }

  /**
   * Removes versions of `name` older than the active one, keeping `keep` versions at or below it
   * (the active and the previous one always count and are never removed, the newest others fill
   * the rest). Versions newer than the active one (downloaded, not yet activated) are left alone,
   * and nothing is removed while no version is active. Returns what was removed.
   */
  collect(name: string, keep = 2): Promise<StoredModel[]> {
    return inTransaction(this.db, 'readwrite', async (tx) => {
      const active = await tx.objectStore('model-active').get(name);
      if (!active) return [];
      const removed = versionsToCollect(await tx.objectStore('model-versions').getAll(ofName(name)), active, keep);
      for (const m of removed) await this.deleteIn(tx, m);
      return removed;
    });
  }
}
