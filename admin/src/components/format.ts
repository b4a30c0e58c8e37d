/** Local date and time, to the minute; a dash for nothing. */
export const when = (iso: string | null | undefined): string =>
  iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' }) : '—';

export const num = (x: number | null | undefined, digits = 2): string =>
  x === null || x === undefined ? '—' : Number.isInteger(x) ? String(x) : x.toFixed(digits);

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(1)} GiB`;
}

/** ISO time `hours` before now, for metric windows. */
export const hoursAgo = (hours: number, now = Date.now()): string => new Date(now - hours * 3_600_000).toISOString();
