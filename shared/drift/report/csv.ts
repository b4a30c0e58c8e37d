// RFC 4180 CSV: comma-separated, fields optionally in double quotes ("" is a
// quote inside them; quoted fields may hold commas and line breaks), records
// end with CRLF, LF or CR, the first record is the header. Pure string work,
// so the console can parse an uploaded file with the same code as the CLI.

import { CsvError, CsvReader } from '../../csv/reader.ts';

export { CsvError };

export interface CsvTable {
  header: string[];
  /** Data records, each with header.length fields. */
  rows: string[][];
  /** Physical line each data record starts on (quoted line breaks make records span lines). */
  lines: number[];
}

/**
 * Parses CSV text (rules: shared/csv/reader.ts). Errors (CsvError): no header,
 * an empty or duplicate column name, text after a closing quote, an
 * unterminated quote, and a record whose field count differs from the header's.
 */
export function parseCsv(input: string): CsvTable {
  const rows: string[][] = [];
  const lines: number[] = [];
  const reader = new CsvReader((fields, line) => {
    rows.push(fields);
    lines.push(line);
  });
  reader.push(input);
  reader.end();
  return { header: reader.header!, rows, lines };
}
