// The project's one CSV reader. RFC 4180 CSV read incrementally: text
// arrives in chunks of any size (a record, a quoted field, even a CRLF may be
// split between two chunks) and each record is handed on as soon as it is
// complete, so a file of any size is read in constant memory. parseCsv (whole
// text) is built on the same reader, so the CLIs, the console, the device and
// the server read a CSV the same way. Pure string work (no DOM, no Node APIs).

/** A CSV problem; `line` is the 1-based physical line it was found on, when there is one. */
export class CsvError extends Error {
  override name = 'CsvError';
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(line === undefined ? message : `line ${line}: ${message}`);
  }
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/** One data record: its fields and the physical line it starts on. */
export type CsvRecordHandler = (fields: string[], line: number) => void;

export interface CsvReaderOptions {
  /** Hand on records of any field count: the caller checks them (with its own message). */
  ragged?: boolean;
}

/**
 * Deviations from the strict RFC, all lenient where data in the wild needs it
 * and never silently lossy: a leading UTF-8 BOM is dropped; blank lines are
 * skipped (as pandas does; a line holding "" is a record); a quote inside an
 * unquoted field is taken literally; the final line break is optional.
 * Errors (CsvError): no header, an empty or duplicate column name, text after
 * a closing quote, an unterminated quote, a record whose field count differs
 * from the header's (unless `ragged`).
 */
export class CsvReader {
  header: string[] | undefined;
  /** Data records read so far. */
  records = 0;
  private line = 1;
  private started = false;
  // The record being read.
  private fields: string[] = [];
  private field = '';
  private recordLine = 1;
  private blank = true;
  /** 'start': at a field's start; 'plain': inside an unquoted field; 'quoted'; 'closed': just after a closing quote. */
  private state: 'start' | 'plain' | 'quoted' | 'closed' = 'start';
  /** A CR ended the previous chunk: an LF opening this one belongs to it. */
  private pendingCr = false;
  /** Inside a quoted field a quote ended the previous chunk: it closes the field or starts a "" pair. */
  private pendingQuote = false;
  /** Inside a quoted field the last character was a CR (a following LF is the same line break). */
  private afterCr = false;

  constructor(
    private readonly onRecord: CsvRecordHandler,
    private readonly onHeader?: (header: string[], line: number) => void,
    private readonly options: CsvReaderOptions = {},
  ) {}

  /** Reads the next piece of text. */
  push(chunk: string): void {
    let text = chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const n = text.length;
    let i = 0;
    if (this.pendingCr) {
      this.pendingCr = false;
      if (n > 0 && text.charCodeAt(0) === LF) i = 1;
    }
    if (this.pendingQuote && n > 0) {
      this.pendingQuote = false;
      if (text.charCodeAt(0) === QUOTE) {
        this.field += '"';
        i = 1;
      } else this.state = 'closed';
    }
    while (i < n) {
      switch (this.state) {
        case 'start':
          if (text.charCodeAt(i) === QUOTE) {
            this.blank = false;
            this.state = 'quoted';
            i++;
          } else this.state = 'plain';
          break;
        case 'plain': {
          const from = i;
          let c = 0;
          while (i < n) {
            c = text.charCodeAt(i);
            if (c === COMMA || c === LF || c === CR) break;
            i++;
          }
          if (i > from) {
            this.field += text.slice(from, i);
            this.blank = false;
          }
          if (i < n) i = this.delimiter(text, i);
          break;
        }
        case 'quoted': {
          const from = i;
          while (i < n) {
            const c = text.charCodeAt(i);
            if (c === QUOTE) break;
            // CRLF, LF and a lone CR each end one line; the CR of a CRLF may end a chunk.
            if (c === CR) this.line++;
            else if (c === LF && !this.afterCr) this.line++;
            this.afterCr = c === CR;
            i++;
          }
          this.field += text.slice(from, i);
          if (i === n) break;
          this.afterCr = false;
          // A quote: the end of the field, or the first half of "".
          if (i + 1 === n) {
            this.pendingQuote = true;
            return;
          }
          if (text.charCodeAt(i + 1) === QUOTE) {
            this.field += '"';
            i += 2;
          } else {
            this.state = 'closed';
            i++;
          }
          break;
        }
        case 'closed': {
          const c = text.charCodeAt(i);
          if (c !== COMMA && c !== LF && c !== CR) {
            throw new CsvError(
              'unexpected text after a closing quote (a quote inside a quoted field is written "")',
              this.line,
            );
          }
          i = this.delimiter(text, i);
          break;
        }
      }
    }
  }

  /** At a comma, CR or LF at text[i]: ends the field (and the record); returns the next index. */
  private delimiter(text: string, i: number): number {
    const c = text.charCodeAt(i);
    this.fields.push(this.field);
    this.field = '';
    this.state = 'start';
    if (c === COMMA) {
      this.blank = false;
      return i + 1;
    }
    let next = i + 1;
    if (c === CR) {
      if (next < text.length) {
        if (text.charCodeAt(next) === LF) next++;
      } else this.pendingCr = true;
    }
    this.endRecord();
    this.line++;
    this.recordLine = this.line;
    return next;
  }

  private endRecord(): void {
    const fields = this.fields;
    this.fields = [];
    const blank = this.blank;
    this.blank = true;
    if (blank) return;
    if (this.header === undefined) {
      const seen = new Set<string>();
      fields.forEach((name, k) => {
        if (name === '') throw new CsvError(`column ${k + 1} of the header has an empty name`, this.recordLine);
        if (seen.has(name))
          throw new CsvError(`duplicate column name ${JSON.stringify(name)} in the header`, this.recordLine);
        seen.add(name);
      });
      this.header = fields;
      this.onHeader?.(fields, this.recordLine);
      return;
    }
    if (fields.length !== this.header.length && !this.options.ragged) {
      const h = this.header.length;
      throw new CsvError(
        `expected ${h} field${h === 1 ? '' : 's'} (as in the header), got ${fields.length}`,
        this.recordLine,
      );
    }
    this.records++;
    this.onRecord(fields, this.recordLine);
  }

  /** The text has ended: the last record needs no line break. */
  end(): void {
    if (this.pendingQuote) {
      this.pendingQuote = false;
      this.state = 'closed';
    }
    if (this.state === 'quoted') throw new CsvError('unterminated quoted field', this.recordLine);
    if (this.state !== 'start' || this.fields.length > 0 || this.field.length > 0) {
      this.fields.push(this.field);
      this.field = '';
      this.endRecord();
    }
    if (this.header === undefined) throw new CsvError('the file is empty (no header line)');
  }
}

export interface CsvTable {
  header: string[];
  /** Data records, each with header.length fields (unless read `ragged`). */
  rows: string[][];
  /** Physical line each data record starts on (quoted line breaks make records span lines). */
  lines: number[];
}

/** The whole text at once, by CsvReader's rules and with its errors (CsvError). */
export function parseCsv(input: string, options?: CsvReaderOptions): CsvTable {
  const rows: string[][] = [];
  const lines: number[] = [];
  const reader = new CsvReader(
    (fields, line) => {
      rows.push(fields);
      lines.push(line);
    },
    undefined,
    options,
  );
  reader.push(input);
  reader.end();
  return { header: reader.header!, rows, lines };
}
