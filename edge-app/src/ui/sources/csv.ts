/**
 * CSV files as input rows: RFC 4180 fields (quotes, doubled quotes, CRLF), columns matched to the
 * model's features by header name so a file may carry extra columns in any order.
 */
export class CsvInputError extends Error {
  override name = 'CsvInputError';
}

export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else field += ch;
  }
  if (quoted) throw new CsvInputError('the file ends inside a quoted field');
  row.push(field);
  if (row.length > 1 || row[0] !== '') rows.push(row);
  return rows;
}

export interface CsvTable {
  header: string[];
  /** The model's features by name, numbers only. */
  rows: Record<string, number>[];
  /** The remaining columns of each row (e.g. a label or a date), by header name. */
  extra: Record<string, string>[];
}

/** Rows keyed by the model's feature names; refuses a file that lacks one or holds a non-number. */
export function csvRows(text: string, features: readonly string[]): CsvTable {
  const [header, ...body] = parseCsv(text.replace(/^\uFEFF/, ''));
  if (!header) throw new CsvInputError('the file is empty');
  const names = header.map((h) => h.trim());
  const missing = features.filter((f) => !names.includes(f));
  if (missing.length)
    throw new CsvInputError(
      `the file has no column named ${missing.map((m) => `"${m}"`).join(', ')} (its columns: ${names.join(', ')})`,
    );
  const index = features.map((f) => names.indexOf(f));
  const rows: Record<string, number>[] = [];
  const extra: Record<string, string>[] = [];
  body.forEach((cells, r) => {
    const row: Record<string, number> = {};
    features.forEach((f, j) => {
      const cell = (cells[index[j]!] ?? '').trim();
      const v = Number(cell);
      if (cell === '' || !Number.isFinite(v))
        throw new CsvInputError(`line ${r + 2}, column "${f}": ${JSON.stringify(cell)} is not a number`);
      row[f] = v;
    });
    rows.push(row);
    const rest: Record<string, string> = {};
    names.forEach((n, j) => {
      if (!features.includes(n)) rest[n] = cells[j] ?? '';
    });
    extra.push(rest);
  });
  if (rows.length === 0) throw new CsvInputError('the file has a header but no rows');
  return { header: names, rows, extra };
}
