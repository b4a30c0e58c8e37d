/**
 * What one Automerge change may hold, checked on its bytes BEFORE Automerge decodes it. Decoding is
 * the expensive part and is not bounded by the byte size: columns are run-length encoded, so a
 * 161-byte change can declare 200,000 operations (1.8 s to decode) and a few more bytes billions.
 * So the change chunk's header and column metadata are read here, and every column's rows are
 * counted run by run — linear in the bytes, allocating nothing per row.
 *
 * Layout (automerge binary format, change chunk): magic(4) checksum(4) type:u8 length:uleb, then
 * deps (uleb n, n × 32 bytes), actor (uleb len, bytes), seq uleb, startOp uleb, time sleb,
 * message (uleb len, bytes), other actors (uleb n, n × (uleb len, bytes)), columns (uleb n,
 * n × (spec uleb, length uleb)), the column data in that order, then extra bytes.
 * A column spec is (id << 4) | deflate(8) | type(0..7). Changes made by Automerge itself are
 * never compressed (neither the chunk, type 2, nor a column), so compressed ones are refused:
 * inflating is how a few bytes become gigabytes.
 */

export interface ChangeLimits {
  /** Bytes of one encoded change. */
  maxChangeBytes: number;
  /** Operations of one change (rows of its widest column, predecessors included). */
  maxChangeOps: number;
  /** Characters of one string: a scalar value in one change, a text in the document. */
  maxStringLength: number;
}

export interface DocSizeLimits {
  /** Characters of the visible document as JSON. */
  maxDocBytes: number;
  /** Characters of one string anywhere in the document. */
  maxStringLength: number;
}

/** Every bound on a document write; the server reads them from its environment (sync-server/src/config.ts). */
export interface DocLimits extends ChangeLimits, DocSizeLimits {
  /** Operations of all changes of one exchange together. */
  maxSyncOps: number;
}

/**
 * Defaults, measured (README "Security and limits"): a device's largest change is its first report
 * (about 400 operations: every character of a string is one) or a compaction; a typical device
 * document is a few KB visible. Decoding and applying costs about 10-25 µs per operation.
 */
export const DEFAULT_DOC_LIMITS: DocLimits = {
  maxChangeBytes: 256 * 1024,
  maxChangeOps: 20_000,
  maxSyncOps: 300_000,
  maxStringLength: 10_000,
  maxDocBytes: 512 * 1024,
};

/** A change or document refused, with the HTTP status to answer and what to say. */
export interface Refusal {
  status: 400 | 403 | 409 | 413;
  /** Which limit or document path. */
  what: string;
  message: string;
  /** For 409: the change hashes the server lacks. */
  missing?: string[];
}

export interface ChangeShape {
  ops: number;
  /** Bytes of the longest scalar string or byte value. */
  longestValue: number;
}

const MAGIC = [0x85, 0x6f, 0x4a, 0x83];
const CHUNK_CHANGE = 1;
const DEFLATE = 8;
enum ColumnType {
  Group = 0,
  Actor = 1,
  Uleb = 2,
  Delta = 3,
  Boolean = 4,
  String = 5,
  ValueMeta = 6,
  Value = 7,
}
/** Value metadata types (low 4 bits) holding bytes: utf-8 string, bytes. */
const STRING_VALUE = 6;
const BYTES_VALUE = 7;

export class ChangeFormatError extends Error {
  override name = 'ChangeFormatError';
}

class Cursor {
  constructor(
    readonly bytes: Uint8Array,
    public pos: number,
    readonly end: number,
  ) {}

  get done(): boolean {
    return this.pos >= this.end;
  }

  byte(): number {
    if (this.pos >= this.end) throw new ChangeFormatError('truncated change');
    return this.bytes[this.pos++]!;
  }

  /** Unsigned LEB128 as a double (exact to 2^53; larger only needs to compare as large). */
  uleb(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return value;
      scale *= 128;
    }
    throw new ChangeFormatError('a LEB128 number longer than 10 bytes');
  }

  sleb(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) return b & 0x40 ? value - scale : value;
    }
    throw new ChangeFormatError('a LEB128 number longer than 10 bytes');
  }

  skip(n: number): void {
    if (n > this.end - this.pos) throw new ChangeFormatError('truncated change');
    this.pos += n;
  }
}

/**
 * Counts a change's operations and its longest scalar value without decoding it. Throws
 * ChangeFormatError for anything that is not a plain change chunk; stops counting once `maxOps`
 * is passed (the answer is then just "more than maxOps").
 */
export function inspectChange(bytes: Uint8Array, maxOps = Number.MAX_SAFE_INTEGER): ChangeShape {
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m))
    throw new ChangeFormatError('not an Automerge change (bad magic bytes)');
  const head = new Cursor(bytes, 8, bytes.length);
  const type = head.byte();
  if (type !== CHUNK_CHANGE)
    throw new ChangeFormatError(`chunk type ${type} is not accepted (only uncompressed changes, type 1)`);
  const length = head.uleb();
  if (head.pos + length !== bytes.length)
    throw new ChangeFormatError('the change length does not match its bytes (one change per entry)');
  const c = new Cursor(bytes, head.pos, bytes.length);
  const deps = c.uleb();
  c.skip(deps * 32);
  c.skip(c.uleb()); // actor
  c.uleb(); // seq
  c.uleb(); // startOp
  c.sleb(); // time
  c.skip(c.uleb()); // message
  const actors = c.uleb();
  for (let i = 0; i < actors; i++) c.skip(c.uleb());
  const ncols = c.uleb();
  const columns: { spec: number; length: number }[] = [];
  for (let i = 0; i < ncols; i++) {
    const spec = c.uleb();
    const length = c.uleb();
    if (spec & DEFLATE)
      throw new ChangeFormatError(`column ${spec >> 4} is compressed; compressed changes are not accepted`);
    columns.push({ spec, length });
  }
  let ops = 0;
  let longestValue = 0;
  for (const { spec, length } of columns) {
    if (length > bytes.length - c.pos) throw new ChangeFormatError('truncated change');
    const col = new Cursor(bytes, c.pos, c.pos + length);
    c.pos += length;
    const counted = countColumn(col, spec & 7, maxOps);
    ops = Math.max(ops, counted.rows, counted.groupSum);
    longestValue = Math.max(longestValue, counted.longestValue);
    if (ops > maxOps) break;
  }
  return { ops, longestValue };
}

/** Rows of one column; for a group column also the sum of its group sizes (rows of the grouped columns). */
function countColumn(
  col: Cursor,
  type: number,
  maxRows: number,
): { rows: number; groupSum: number; longestValue: number } {
  let rows = 0;
  let groupSum = 0;
  let longestValue = 0;
  if (type === ColumnType.Value) return { rows, groupSum, longestValue };
  if (type === ColumnType.Boolean) {
    while (!col.done && rows <= maxRows) rows += col.uleb();
    return { rows, groupSum, longestValue };
  }
  const value = (): number => {
    if (type === ColumnType.Delta) return col.sleb();
    if (type === ColumnType.String) {
      const n = col.uleb();
      col.skip(n);
      return n;
    }
    return col.uleb();
  };
  const seen = (v: number, times: number) => {
    if (type === ColumnType.Group) groupSum += v * times;
    if (type === ColumnType.ValueMeta) {
      const kind = v % 16;
      if (kind === STRING_VALUE || kind === BYTES_VALUE) longestValue = Math.max(longestValue, Math.floor(v / 16));
    }
  };
  while (!col.done && rows <= maxRows && groupSum <= maxRows) {
    const run = col.sleb();
    if (run > 0) {
      seen(value(), run);
      rows += run;
    } else if (run < 0) {
      for (let i = 0; i < -run && groupSum <= maxRows; i++) seen(value(), 1);
      rows -= run;
    } else {
      rows += col.uleb(); // a run of nulls
    }
  }
  return { rows, groupSum, longestValue };
}

/** The refusal for one change over a limit, or its shape. Cheap: no Automerge decoding. */
function checkOne(bytes: Uint8Array, limits: ChangeLimits): Refusal | ChangeShape {
  if (bytes.length > limits.maxChangeBytes) {
    return {
      status: 413,
      what: 'MAX_DOC_CHANGE_BYTES',
      message: `a change of ${bytes.length} bytes is larger than the limit of ${limits.maxChangeBytes} bytes (MAX_DOC_CHANGE_BYTES)`,
    };
  }
  let shape: ChangeShape;
  try {
    shape = inspectChange(bytes, limits.maxChangeOps);
  } catch (err) {
    if (err instanceof ChangeFormatError)
      return { status: 400, what: 'change', message: `not an acceptable Automerge change: ${err.message}` };
    throw err;
  }
  if (shape.ops > limits.maxChangeOps) {
    return {
      status: 413,
      what: 'MAX_DOC_CHANGE_OPS',
      message: `a change of more than ${limits.maxChangeOps} operations is over the limit (MAX_DOC_CHANGE_OPS)`,
    };
  }
  if (shape.longestValue > limits.maxStringLength) {
    return {
      status: 413,
      what: 'MAX_DOC_STRING_LENGTH',
      message: `a change holds a value of ${shape.longestValue} bytes, over the limit of ${limits.maxStringLength} (MAX_DOC_STRING_LENGTH)`,
    };
  }
  return shape;
}

/** The refusal for an exchange's changes over a limit (each, and all together), or undefined. */
export function checkChanges(
  changes: readonly Uint8Array[],
  limits: ChangeLimits & Pick<DocLimits, 'maxSyncOps'>,
): Refusal | undefined {
  let ops = 0;
  for (const bytes of changes) {
    const r = checkOne(bytes, limits);
    if ('status' in r) return r;
    ops += r.ops;
    if (ops > limits.maxSyncOps) {
      return {
        status: 413,
        what: 'MAX_DOC_SYNC_OPS',
        message: `the changes of this exchange hold more than ${limits.maxSyncOps} operations together (MAX_DOC_SYNC_OPS); send fewer at a time`,
      };
    }
  }
  return undefined;
}
