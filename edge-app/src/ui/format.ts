/** How the PWA's screens word numbers, times and errors. Sizes use the formatter the console shares. */
export { formatBytes } from '../../../shared/format/bytes.ts';

export function formatPercent(fraction: number, digits = 1): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(digits)} %` : '–';
}

/** A part of a total as a whole percentage, an ellipsis while the total is unknown. */
export function percentOf(part: number, total: number | null): string {
  return total ? `${Math.min(100, Math.floor((part / total) * 100))} %` : '…';
}

export function formatTime(ms: number | null | undefined): string {
  return ms == null || !Number.isFinite(ms) ? '–' : new Date(ms).toLocaleString();
}

/** A moment relative to now, with its clock time: "12 s ago (10:04:31)", "in 5 min (…)", "never". */
export function when(ts: number | undefined, now = Date.now()): string {
  if (ts === undefined) return 'never';
  const s = Math.round((now - ts) / 1000);
  const clock = new Date(ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  if (Math.abs(s) < 5) return `just now (${clock})`;
  if (s < 0) return `in ${duration(-s)} (${clock})`;
  return `${duration(s)} ago (${clock})`;
}

function duration(sec: number): string {
  if (sec < 60) return `${sec} s`;
  if (sec < 3600) return `${Math.round(sec / 60)} min`;
  if (sec < 86_400) return `${(sec / 3600).toFixed(1)} h`;
  return `${(sec / 86_400).toFixed(1)} d`;
}

export function formatMs(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '–';
  return ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : ms < 100 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(0)} ms`;
}

/** Any thrown value as words for the person in front of the screen. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return typeof err === 'string' ? err : JSON.stringify(err);
}
