/** Local date and time, to the minute; a dash for nothing. */
export const when = (iso: string | null | undefined): string =>
  iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' }) : '—';

export const num = (x: number | null | undefined, digits = 2): string =>
  x === null || x === undefined ? '—' : Number.isInteger(x) ? String(x) : x.toFixed(digits);

/** ISO time `hours` before now, for metric windows. */
export const hoursAgo = (hours: number, now = Date.now()): string => new Date(now - hours * 3_600_000).toISOString();
