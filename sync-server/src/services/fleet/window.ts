import { BUCKETS, DEFAULT_WINDOW_MS, MAX_BUCKETS, type Bucket } from '../../../../shared/protocol/index.ts';
import { Invalid } from '../errors.ts';

/** A metrics window widened to whole buckets: [from, to) in epoch ms, `size` ms per bucket. */
export interface Window {
  from: number;
  to: number;
  bucket: Bucket;
  size: number;
}

/**
 * Checks and widens a requested window. `to` defaults to now and `from` to a bucket-dependent
 * span before it; both round outward to bucket bounds (UTC), so a bucket always covers its whole
 * span and per-device and fleet series share bucket starts.
 */
export function resolveWindow(
  q: { from?: string | undefined; to?: string | undefined; bucket: Bucket },
  now = Date.now(),
): Window {
  const size = BUCKETS[q.bucket];
  const to = q.to === undefined ? now : Date.parse(q.to);
  const from = q.from === undefined ? to - DEFAULT_WINDOW_MS[q.bucket] : Date.parse(q.from);
  if (!(from < to))
    throw new Invalid(
      `the window is empty: from (${new Date(from).toISOString()}) must be before to (${new Date(to).toISOString()})`,
    );
  const start = Math.floor(from / size) * size;
  const end = Math.ceil(to / size) * size;
  const buckets = (end - start) / size;
  if (buckets > MAX_BUCKETS[q.bucket]) {
    throw new Invalid(
      `the window spans ${buckets} ${q.bucket} buckets; at most ${MAX_BUCKETS[q.bucket]} are allowed (use a shorter window or day buckets)`,
    );
  }
  return { from: start, to: end, bucket: q.bucket, size };
}

/** Bucket starts of a window, oldest first. */
export function bucketStarts(w: Window): number[] {
  const starts: number[] = [];
  for (let t = w.from; t < w.to; t += w.size) starts.push(t);
  return starts;
}

/** `<name>@<version>` → its parts (the schema has checked the form). */
export function parseModelVersion(key: string | undefined): { name: string; version: number } | null {
  if (key === undefined) return null;
  const at = key.lastIndexOf('@');
  return { name: key.slice(0, at), version: Number(key.slice(at + 1)) };
}

export const modelVersionKey = (name: string, version: number) => `${name}@${version}`;

/**
 * The SQL expression for a timestamp's bucket start in epoch ms, for a `size` parameter in ms.
 * Epoch arithmetic rather than date_trunc: independent of the session's time zone.
 */
export const bucketSql = (column: string, sizeParam: string) =>
  `(floor(extract(epoch FROM ${column}) * 1000 / ${sizeParam}) * ${sizeParam})::bigint`;
