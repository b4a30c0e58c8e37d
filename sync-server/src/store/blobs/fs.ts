import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import {
  assertBlobKey,
  BlobConflictError,
  resolveRange,
  type BlobStat,
  type BlobStore,
  type ByteRange,
} from './types.ts';

const TMP = '.tmp';

/** Blobs as files under a folder. Writes go to a temp file and are renamed, so readers never see half a blob. */
export class FsBlobStore implements BlobStore {
  readonly kind = 'fs' as const;

  constructor(readonly root: string) {}

  static async open(root: string): Promise<FsBlobStore> {
    await mkdir(path.join(root, TMP), { recursive: true });
    return new FsBlobStore(path.resolve(root));
  }

  #file(key: string): string {
    assertBlobKey(key);
    const file = path.resolve(this.root, key);
    // assertBlobKey already forbids '..'; this is the second lock on the same door.
    if (!file.startsWith(this.root + path.sep)) throw new Error(`blob key escapes the store: ${key}`);
    return file;
  }

  async put(key: string, body: Readable | Uint8Array, size: number): Promise<void> {
    const file = this.#file(key);
    const tmp = path.join(this.root, TMP, randomUUID());
    const dir = path.dirname(file);
    // The key's folders are made only once every byte is in the temp file: a put that fails half-way
    // must leave nothing behind, not even a folder that would block a later key of that name.
    let created: string | undefined;
    try {
      const source = body instanceof Uint8Array ? Readable.from([body]) : body;
      await pipeline(source, createWriteStream(tmp));
      const written = (await stat(tmp)).size;
      if (written !== size) throw new Error(`blob ${key}: expected ${size} bytes, received ${written}`);
      created = await mkdir(dir, { recursive: true });
      try {
        await rename(tmp, file);
      } catch (err) {
        // A failed put of a neighbouring key may have just removed the folder it made: make it again, once.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        created = (await mkdir(dir, { recursive: true })) ?? created;
        await rename(tmp, file);
      }
    } catch (err) {
      await rm(tmp, { force: true });
      if (created) await removeEmptyFolders(dir, created);
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR' || code === 'EISDIR' || code === 'EEXIST') throw new BlobConflictError(key);
      throw err;
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable | undefined> {
    const info = await this.stat(key);
    if (!info) return undefined;
    if (!range) return createReadStream(this.#file(key));
    const { start, end } = resolveRange(range, info.size);
    return createReadStream(this.#file(key), { start, end });
  }

  async stat(key: string): Promise<BlobStat | undefined> {
    try {
      const s = await stat(this.#file(key));
      return s.isFile() ? { key, size: s.size, lastModified: s.mtime, version: `${s.ino}:${s.ctimeMs}` } : undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR')
        return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.#file(key), { force: true });
  }

  async *list(prefix = ''): AsyncIterable<string> {
    const keys: string[] = [];
    const walk = async (dir: string, rel: string) => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        if (entry.name.startsWith('.')) continue;
        const key = rel ? `${rel}/${entry.name}` : entry.name;
        if (entry.isDirectory()) {
          if (key.startsWith(prefix) || prefix.startsWith(key)) await walk(path.join(dir, entry.name), key);
        } else if (key.startsWith(prefix)) keys.push(key);
      }
    };
    await walk(this.root, '');
    yield* keys.sort();
  }

  async close(): Promise<void> {}
}

/** Removes the folders a failed put made, deepest first; rmdir refuses a folder another put has filled since, which is kept. */
async function removeEmptyFolders(dir: string, top: string): Promise<void> {
  for (let d = dir; d.length >= top.length; d = path.dirname(d)) {
    try {
      await rmdir(d);
    } catch {
      return;
    }
  }
}
