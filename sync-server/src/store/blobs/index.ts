import path from 'node:path';
import type { S3Config } from '../../config.ts';
import { FsBlobStore } from './fs.ts';
import { S3BlobStore } from './s3.ts';
import type { BlobStore } from './types.ts';

export * from './types.ts';
export { FsBlobStore } from './fs.ts';
export { S3BlobStore } from './s3.ts';

/** S3 when configured, otherwise a folder under `<dataDir>/blobs`. */
export function openBlobStore(opts: { s3: S3Config | undefined; dataDir: string }): Promise<BlobStore> {
  return opts.s3 ? S3BlobStore.open(opts.s3) : FsBlobStore.open(path.join(opts.dataDir, 'blobs'));
}
