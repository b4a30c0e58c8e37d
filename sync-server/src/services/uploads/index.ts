import path from 'node:path';
import type { Config } from '../../config.ts';
import type { IngestService } from '../ingest/index.ts';
import type { ResumableUploads } from '../ingest/resumable.ts';
import { stagingDir } from '../registry/staging.ts';

/**
 * What the routes that read a request body themselves (multipart uploads, artifacts, resumable
 * batches) need: the size limit (MAX_UPLOAD_BYTES) and the folder files are staged in.
 */
export class UploadsService {
  readonly maxBytes: number;
  readonly stagingDir: string;
  /** Resumable batch uploads, staged under `<stagingDir>/uploads`. */
  readonly batches: ResumableUploads;

  constructor(config: Pick<Config, 'maxUploadBytes' | 'dataDir'>, ingest: Pick<IngestService, 'uploads'>) {
    this.maxBytes = config.maxUploadBytes;
    this.stagingDir = stagingDir(config);
    this.batches = ingest.uploads(path.join(this.stagingDir, 'uploads'));
  }
}
