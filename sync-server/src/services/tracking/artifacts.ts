import type { Readable } from 'node:stream';
import { Invalid, NotFound } from '../errors.ts';
import type { BlobStore } from '../../store/blobs/index.ts';
import { artifactKeyOf, artifactPathOf, artifactSegments } from './artifact-paths.ts';

export interface FileInfo {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

/** MLflow's proxied artifact store (`mlflow-artifacts`) over the blob store. */
export class ArtifactStore {
  constructor(private readonly blobs: BlobStore) {}

  async put(path: string, body: Readable, size: number): Promise<void> {
    if (artifactSegments(path).length === 0) throw new Invalid('An artifact path is required to upload');
    await this.blobs.put(artifactKeyOf(path), body, size);
  }

  /** The size of an artifact; RESOURCE_DOES_NOT_EXIST when there is none (a directory is none). */
  async size(path: string): Promise<number> {
    const stat = artifactSegments(path).length ? await this.blobs.stat(artifactKeyOf(path)) : undefined;
    if (!stat) throw new NotFound(`Artifact '${path}' does not exist`);
    return stat.size;
  }

  async open(path: string): Promise<Readable> {
    const stream = artifactSegments(path).length ? await this.blobs.get(artifactKeyOf(path)) : undefined;
    if (!stream) throw new NotFound(`Artifact '${path}' does not exist`);
    return stream;
  }

  /**
   * The immediate children of a directory, as MLflow lists them: files with their size, then
   * sub-directories; `path` of each is its name alone. A missing directory (or a file) lists nothing.
   */
  async list(dir: string | undefined): Promise<FileInfo[]> {
    const base = artifactKeyOf(dir ?? '');
    const prefix = `${base}/`;
    const files: string[] = [];
    const dirs = new Set<string>();
    for await (const key of this.blobs.list(prefix)) {
      const rest = key.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash === -1) files.push(key);
      else dirs.add(`${prefix}${rest.slice(0, slash)}`);
    }
    const name = (key: string) => artifactPathOf(key).split('/').at(-1)!;
    const sized = await Promise.all(
      files.map(
        async (key): Promise<FileInfo> => ({
          path: name(key),
          is_dir: false,
          file_size: (await this.blobs.stat(key))?.size ?? 0,
        }),
      ),
    );
    return [...sized, ...[...dirs].map((key): FileInfo => ({ path: name(key), is_dir: true }))].sort((a, b) =>
      a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
    );
  }

  /** Deletes a file, or a directory with everything under it (MLflow's delete_artifacts). */
  async delete(path: string): Promise<void> {
    if (artifactSegments(path).length === 0) throw new Invalid('An artifact path is required to delete');
    const key = artifactKeyOf(path);
    // A directory is no blob of its own (and the folder store cannot delete it as one).
    const keys = (await this.blobs.stat(key)) ? [key] : [];
    for await (const k of this.blobs.list(`${key}/`)) keys.push(k);
    await Promise.all(keys.map((k) => this.blobs.delete(k)));
  }
}
