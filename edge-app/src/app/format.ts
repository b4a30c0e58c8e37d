/** Small formatters the screens share. */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function when(ts: number | undefined, now = Date.now()): string {
  if (ts === undefined) return 'never';
  const s = Math.round((now - ts) / 1000);
  const clock = new Date(ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  if (Math.abs(s) < 5) return `just now (${clock})`;
  if (s < 0) return `in ${duration(-s)} (${clock})`;
  return `${duration(s)} ago (${clock})`;
}

export function duration(sec: number): string {
  if (sec < 60) return `${sec} s`;
  if (sec < 3600) return `${Math.round(sec / 60)} min`;
  if (sec < 86_400) return `${(sec / 3600).toFixed(1)} h`;
  return `${(sec / 86_400).toFixed(1)} d`;
}

export function percent(part: number, total: number | null): string {
  return total ? `${Math.min(100, Math.floor((part / total) * 100))} %` : '…';
}
