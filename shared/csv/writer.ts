// The project's one CSV writer (RFC 4180, the inverse of reader.ts): the
// device's log export, the console's downloads, test and benchmark fixtures.

/** A field as CSV: quoted when it holds a comma, a quote, CR or LF (inner quotes doubled); null and undefined are empty. */
export function csvField(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** One record's fields, comma-separated, without the line break. */
export function csvRecord(cells: readonly unknown[]): string {
  return cells.map(csvField).join(',');
}

/** Records as CSV text, each ended by `eol` (RFC 4180's CRLF unless told). */
export function toCsv(rows: readonly (readonly unknown[])[], eol = '\r\n'): string {
  let out = '';
  for (const r of rows) out += csvRecord(r) + eol;
  return out;
}
