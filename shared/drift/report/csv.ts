// RFC 4180 CSV: comma-separated, fields optionally in double quotes ("" is a
// quote inside them; quoted fields may hold commas and line breaks), records
// end with CRLF, LF or CR, the first record is the header. Pure string work,
// so the console can parse an uploaded file with the same code as the CLI.

/** A CSV problem; `line` is the 1-based physical line it was found on, when there is one. */
export class CsvError extends Error {
  override name = 'CsvError';
  constructor(message: string, readonly line?: number) {
    super(line === undefined ? message : `line ${line}: ${message}`);
  }
}

export interface CsvTable {
  header: string[];
  /** Data records, each with header.length fields. */
  rows: string[][];
  /** Physical line each data record starts on (quoted line breaks make records span lines). */
  lines: number[];
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/**
 * Parses CSV text. Deviations from the strict RFC, all lenient where data in
 * the wild needs it and never silently lossy: a leading UTF-8 BOM is dropped;
 * blank lines are skipped (as pandas does; a line holding "" is a record);
 * a quote inside an unquoted field is taken literally; the final line break
 * is optional. Errors (CsvError): no header, an empty or duplicate column
 * name, text after a closing quote, an unterminated quote, and a record whose
 * field count differs from the header's.
 */
export function parseCsv(input: string): CsvTable {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const n = text.length;
  const records: string[][] = [];
  const lines: number[] = [];
  let line = 1;
  let i = 0;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    let blank = true;
    for (;;) {
      let field: string;
      if (text.charCodeAt(i) === QUOTE) {
        blank = false;
        const parts: string[] = [];
        let from = ++i;
        for (;;) {
          if (i >= n) throw new CsvError('unterminated quoted field', start);
          const c = text.charCodeAt(i);
          if (c === QUOTE) {
            parts.push(text.slice(from, i));
            if (text.charCodeAt(i + 1) === QUOTE) {
              parts.push('"');
              i += 2;
              from = i;
              continue;
            }
            i++;
            break;
          }
          if (c === LF || (c === CR && text.charCodeAt(i + 1) !== LF)) line++;
          i++;
        }
        field = parts.join('');
        const after = text.charCodeAt(i);
        if (i < n && after !== COMMA && after !== LF && after !== CR) {
          throw new CsvError('unexpected text after a closing quote (a quote inside a quoted field is written "")', line);
        }
      } else {
        const from = i;
        while (i < n) {
          const c = text.charCodeAt(i);
          if (c === COMMA || c === LF || c === CR) break;
          i++;
        }
        field = text.slice(from, i);
        if (field.length > 0) blank = false;
      }
      fields.push(field);
      if (i < n && text.charCodeAt(i) === COMMA) {
        blank = false;
        i++;
        continue;
      }
      // End of record: a line break or the end of the text.
      if (text.charCodeAt(i) === CR) i++;
      if (text.charCodeAt(i) === LF) i++;
      line++;
      break;
    }
    if (blank) continue;
    records.push(fields);
    lines.push(start);
  }
  const header = records.shift();
  const headerLine = lines.shift();
  if (!header) throw new CsvError('the file is empty (no header line)');
  const seen = new Set<string>();
  header.forEach((name, k) => {
    if (name === '') throw new CsvError(`column ${k + 1} of the header has an empty name`, headerLine);
    if (seen.has(name)) throw new CsvError(`duplicate column name ${JSON.stringify(name)} in the header`, headerLine);
    seen.add(name);
  });
  records.forEach((r, k) => {
    if (r.length !== header.length) {
      throw new CsvError(`expected ${header.length} field${header.length === 1 ? '' : 's'} (as in the header), got ${r.length}`, lines[k]);
    }
  });
  return { header, rows: records, lines };
}
