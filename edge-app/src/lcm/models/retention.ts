import type { ActiveModelRecord, StoredModel } from '../types.ts';

/**
 * Which versions of one model `collect` removes: of the versions at or below the active one, the
 * active and previous versions always stay and count towards `keep`; the newest others fill what
 * is left of it; the rest go. Versions newer than the active one (downloaded, not yet activated)
 * always stay. Newest first.
 */
export function versionsToCollect(versions: StoredModel[], active: ActiveModelRecord, keep: number): StoredModel[] {
  const isProtected = (v: number): boolean => v === active.version || v === active.previous;
  const candidates = versions
    .filter((m) => m.version <= active.version || isProtected(m.version))
    .sort((a, b) => b.version - a.version);
  let slots = Math.max(0, keep - candidates.filter((m) => isProtected(m.version)).length);
  const removed: StoredModel[] = [];
  for (const m of candidates) {
    if (isProtected(m.version)) continue;
    if (slots > 0) slots--;
    else removed.push(m);
  }
  return removed;
}
