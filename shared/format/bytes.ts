/**
 * A byte count for people, in binary units (1 KiB = 1024 B) as the browser's storage figures and
 * the console's health charts count them: whole bytes below 1 KiB, then three significant digits
 * (two decimals below 10, one above). The PWA and the console both show sizes this way.
 */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}
