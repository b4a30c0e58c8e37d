/**
 * CSV files as input rows: read by the shared reader (RFC 4180: quotes, doubled quotes, CRLF, BOM),
 * columns matched to the model's features by header name so a file may carry extra columns in any order.
 */
import { parseCsv } from '../../../../shared/csv/reader.ts';

export class CsvInputError extends Error {
  override name = 'CsvInputError';
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
  // Its CsvError (line number and problem) is the message as it stands.
  const { header, rows: body, lines } = parseCsv(text);
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
      const cell = cells[index[j]!]!.trim();
      const v = Number(cell);
      if (cell === '' || !Number.isFinite(v))
        throw new CsvInputError(`line ${lines[r]}, column "${f}": ${JSON.stringify(cell)} is not a number`);
      row[f] = v;
    });
    rows.push(row);
    const rest: Record<string, string> = {};
    names.forEach((n, j) => {
      if (!features.includes(n)) rest[n] = cells[j]!;
    });
    extra.push(rest);
  });
  if (rows.length === 0) throw new CsvInputError('the file has a header but no rows');
  return { header: names, rows, extra };
}
