import type { Health } from '../../../../shared/protocol/index.ts';
import type { BlobStore } from '../../store/blobs/index.ts';
import type { Db } from '../../store/db/index.ts';

/** GET /healthz: liveness, and which storage backends this process runs on. */
export class HealthService {
  constructor(
    private readonly db: Pick<Db, 'query' | 'kind'>,
    private readonly blobs: Pick<BlobStore, 'kind'>,
  ) {}

  async check(): Promise<Health> {
    // A health check that does not touch the database would say ok while every request fails.
    await this.db.query('SELECT 1');
    return { status: 'ok', db: this.db.kind, blobs: this.blobs.kind };
  }
}
