import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { BlobStat, BlobStore } from '../../store/blobs/index.ts';

/** Stored artifacts whose hash this process has checked, remembered by their stat (bounded memory). */
export const MAX_VERIFIED_ARTIFACTS = 1000;

const fingerprint = (s: BlobStat) => `${s.size}:${s.lastModified.getTime()}:${s.version ?? ''}`;

/**
 * Checks that a stored artifact's bytes still hash to the sha256 they are stored (and deployed)
 * under: a damaged blob store copy must not reach a device, which would only find out after the
 * whole download and then fetch it again on every sync. A good result is remembered while the
 * blob's stat (size, time, version: ETag or inode and ctime) stays the same, so a model is read
 * twice only on its first download after a start or a rewrite; requests arriving together share one read.
 */
export class ArtifactIntegrity {
  private readonly verified = new Map<string, string>();
  private readonly running = new Map<string, Promise<boolean | undefined>>();

  constructor(
    private readonly blobs: BlobStore,
    private readonly logger?: Logger,
  ) {}

  /** True when the blob at key hashes to sha256, false when it does not, undefined when it is missing. */
  intact(key: string, sha256: string): Promise<boolean | undefined> {
    const pending = this.running.get(key);
    if (pending) return pending;
    const check = this.check(key, sha256).finally(() => this.running.delete(key));
    this.running.set(key, check);
    return check;
  }

  private async check(key: string, sha256: string): Promise<boolean | undefined> {
    const stat = await this.blobs.stat(key);
    if (!stat) return undefined;
    if (this.verified.get(key) === fingerprint(stat)) return true;
    const stream = await this.blobs.get(key);
    if (!stream) return undefined;
    const hash = createHash('sha256');
    for await (const chunk of stream) hash.update(chunk as Buffer);
    const actual = hash.digest('hex');
    if (actual !== sha256) {
      this.verified.delete(key);
      this.logger?.error(
        { key, expected: sha256, actual, size: stat.size },
        'stored artifact is damaged: its bytes do not hash to its sha256',
      );
      return false;
    }
    if (this.verified.size >= MAX_VERIFIED_ARTIFACTS) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(key, fingerprint(stat));
    return true;
  }
}
