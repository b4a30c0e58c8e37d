import * as Minio from 'minio';
import type { Readable } from 'node:stream';
import type { S3Config } from '../../config.ts';
import { assertBlobKey, resolveRange, type BlobStat, type BlobStore, type ByteRange } from './types.ts';

const NOT_FOUND = new Set(['NoSuchKey', 'NotFound', 'NoSuchObject']);
const isNotFound = (err: unknown) => NOT_FOUND.has((err as { code?: string }).code ?? '');

export interface S3Options extends S3Config {
  /** Objects above this are uploaded in parts; large in tests because s3rver lacks multipart listing. */
  partSize?: number;
}

/** Blobs in an S3 bucket (MinIO or any S3) through the `minio` client. */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3' as const;

  private constructor(
    readonly client: Minio.Client,
    readonly bucket: string,
  ) {}

  /** Connects and creates the bucket when it is missing. */
  static async open(options: S3Options): Promise<S3BlobStore> {
    const { endpoint } = options;
    const useSSL = endpoint.protocol === 'https:';
    const client = new Minio.Client({
      endPoint: endpoint.hostname,
      port: endpoint.port ? Number(endpoint.port) : useSSL ? 443 : 80,
      useSSL,
      accessKey: options.accessKey,
      secretKey: options.secretKey,
      region: options.region,
      pathStyle: true,
      ...(options.partSize ? { partSize: options.partSize } : {}),
    });
    if (!(await client.bucketExists(options.bucket))) {
      try {
        await client.makeBucket(options.bucket, options.region);
      } catch (err) {
        // Another instance may have created it between our check and our call.
        const code = (err as { code?: string }).code;
        if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') throw err;
      }
    }
    return new S3BlobStore(client, options.bucket);
  }

  async put(key: string, body: Readable | Uint8Array, size: number): Promise<void> {
    assertBlobKey(key);
    await this.client.putObject(this.bucket, key, body instanceof Uint8Array ? Buffer.from(body) : body, size);
  }

  async get(key: string, range?: ByteRange): Promise<Readable | undefined> {
    assertBlobKey(key);
    try {
      if (!range) return await this.client.getObject(this.bucket, key);
      const info = await this.stat(key);
      if (!info) return undefined;
      const { start, end } = resolveRange(range, info.size);
      return await this.client.getPartialObject(this.bucket, key, start, end - start + 1);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async stat(key: string): Promise<BlobStat | undefined> {
    assertBlobKey(key);
    try {
      const s = await this.client.statObject(this.bucket, key);
      return { key, size: s.size, lastModified: s.lastModified, version: s.etag };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    assertBlobKey(key);
    await this.client.removeObject(this.bucket, key);
  }

  async *list(prefix = ''): AsyncIterable<string> {
    // S3 lists in UTF-8 binary order, which for our ASCII keys is lexicographic order.
    for await (const item of this.client.listObjectsV2(this.bucket, prefix, true)) {
      if (item.name) yield item.name;
    }
  }

  async close(): Promise<void> {}
}
