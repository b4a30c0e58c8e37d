/** Changes past the snapshot after which a write also rewrites the snapshot. */
export const COMPACT_AFTER = 64;

/** Documents read recently, least recently used dropped first (DocumentsService and its workers each keep one). */
export class DocCache<T> {
  private readonly entries = new Map<string, T>();
  constructor(private readonly max: number) {}

  /** Takes the entry out: an Automerge document is outdated once changes are applied to it, so two users must not share one. */
  take(docId: string): T | undefined {
    const e = this.entries.get(docId);
    this.entries.delete(docId);
    return e;
  }

  put(docId: string, entry: T): void {
    if (this.max <= 0) return;
    this.entries.delete(docId);
    this.entries.set(docId, entry);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }
}
