// A minimal protocol-buffers wire-format reader over a random-access byte
// source. ONNX files can be hundreds of megabytes, almost all of it tensor data
// the registry never needs to look at, so the reader pulls small windows on
// demand and jumps over length-delimited payloads by offset instead of loading
// the file.

/** Random access to bytes: a Uint8Array, a Blob, a file on a server's disk, an S3 object with ranges. */
export interface ByteSource {
  readonly size: number;
  /** Exactly `length` bytes from `offset`; the reader never asks past `size`. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

export function bytesSource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: async (offset, length) => bytes.subarray(offset, offset + length) };
}

/** What a Blob or File offers (browsers and Node both have Blob); structural so shared/ needs no DOM types. */
export interface BlobLike {
  readonly size: number;
  slice(start?: number, end?: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

export function blobSource(blob: BlobLike): ByteSource {
  return {
    size: blob.size,
    read: async (offset, length) => new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer()),
  };
}

/** The bytes are not a (complete) ONNX model. `offset` is where the reader found the problem. */
export class InvalidOnnxError extends Error {
  override name = 'InvalidOnnxError';
  readonly problem: string;
  readonly offset: number | undefined;
  constructor(problem: string, offset?: number) {
    super(
      offset === undefined
        ? `not a valid ONNX model: ${problem}`
        : `not a valid ONNX model: ${problem} (at byte ${offset})`,
    );
    this.problem = problem;
    this.offset = offset;
  }
}

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

const WIRE_NAMES = ['varint', 'fixed64', 'length-delimited', 'group start', 'group end', 'fixed32'];
export function wireTypeName(wt: number): string {
  return WIRE_NAMES[wt] ?? `invalid (${wt})`;
}

export interface Tag {
  field: number;
  wireType: number;
  /** Byte offset of the tag itself, for error messages. */
  offset: number;
}

const utf8 = new TextDecoder('utf-8');

/**
 * Reads forward from `pos` through a window of at most `chunkSize` bytes (more
 * only for a single string longer than that). Every method takes `limit`, the
 * end of the enclosing message, and refuses to read past it.
 */
export class WireReader {
  pos = 0;
  private buf: Uint8Array = new Uint8Array(0);
  private bufStart = 0;
  readonly size: number;
  private readonly source: ByteSource;
  private readonly chunkSize: number;

  constructor(source: ByteSource, chunkSize = 64 * 1024) {
    this.source = source;
    this.size = source.size;
    this.chunkSize = chunkSize;
  }

  private has(n: number): boolean {
    return this.pos >= this.bufStart && this.pos + n <= this.bufStart + this.buf.length;
  }

  /** Loads a window starting at `pos` holding at least `n` bytes (callers never ask past the file). */
  private async fill(n: number): Promise<void> {
    const length = Math.min(Math.max(n, this.chunkSize), this.size - this.pos);
    const got = await this.source.read(this.pos, length);
    if (got.length < length)
      throw new Error(`byte source returned ${got.length} bytes for a read of ${length} at ${this.pos}`);
    this.buf = got.length === length ? got : got.subarray(0, length);
    this.bufStart = this.pos;
  }

  private async ensure(n: number): Promise<void> {
    if (n > 0 && !this.has(n)) await this.fill(n);
  }

  /**
   * A varint as a number: unsigned, or with `signed` as a two's-complement
   * int64 (protobuf also sign-extends negative int32s to 64 bits). Exact below
   * 2^53, which covers every count, length and dimension ONNX has.
   */
  async varint(limit: number, what: string, signed = false): Promise<number> {
    const start = this.pos;
    await this.ensure(Math.min(10, limit - start));
    let value = 0;
    for (let i = 0; i < 10; i++) {
      if (start + i >= limit)
        throw new InvalidOnnxError(
          `${what}: varint cut off by the end of ${limit === this.size ? 'the file' : 'its message'}`,
          start,
        );
      const b = this.buf[start + i - this.bufStart]!;
      if (i === 9 && b >= 0x80) throw new InvalidOnnxError(`${what}: varint longer than 10 bytes`, start);
      if (i === 9 && b > 1) throw new InvalidOnnxError(`${what}: varint overflows 64 bits`, start);
      value += (b & 0x7f) * 2 ** (7 * i);
      if (b < 0x80) {
        this.pos = start + i + 1;
        // Past 7 bytes the float sum can round (2^64 − 1 would become 2^64): redo it exactly.
        return i < 7 && !signed ? value : this.exact(start, i + 1, signed);
      }
    }
    throw new InvalidOnnxError(`${what}: varint longer than 10 bytes`, start);
  }

  private exact(start: number, n: number, signed: boolean): number {
    let v = 0n;
    for (let j = n - 1; j >= 0; j--) v = (v << 7n) | BigInt(this.buf[start + j - this.bufStart]! & 0x7f);
    return Number(signed ? BigInt.asIntN(64, v) : BigInt.asUintN(64, v));
  }

  async tag(limit: number, message: string): Promise<Tag> {
    const offset = this.pos;
    const v = await this.varint(limit, `${message} field tag`);
    const field = Math.floor(v / 8);
    const wireType = v % 8;
    if (field === 0 || field > 2 ** 29 - 1)
      throw new InvalidOnnxError(`${message}: invalid field number ${field}`, offset);
    if (wireType === 3 || wireType === 4)
      throw new InvalidOnnxError(
        `${message}: field ${field} uses protobuf groups (wire type ${wireType}), which ONNX never does`,
        offset,
      );
    if (wireType > 5)
      throw new InvalidOnnxError(`${message}: field ${field} has invalid wire type ${wireType}`, offset);
    return { field, wireType, offset };
  }

  /** Reads a length prefix and checks the payload lies inside both the file and the enclosing message. */
  async length(limit: number, what: string): Promise<number> {
    const offset = this.pos;
    const len = await this.varint(limit, what);
    const end = this.pos + len;
    if (end > this.size) {
      throw new InvalidOnnxError(
        `${what}: length ${len} runs past the end of the file (${this.size} bytes; truncated?)`,
        offset,
      );
    }
    if (end > limit)
      throw new InvalidOnnxError(
        `${what}: length ${len} runs past the end of its enclosing message (byte ${limit})`,
        offset,
      );
    return len;
  }

  /** Skips one field's value without reading a length-delimited payload. */
  async skip(tag: Tag, limit: number, message: string): Promise<void> {
    const what = `${message} field ${tag.field}`;
    switch (tag.wireType) {
      case WIRE_VARINT:
        await this.varint(limit, what);
        return;
      case WIRE_LEN: {
        // Not `pos += await …`: that would add to pos as it was before the length was read.
        const len = await this.length(limit, what);
        this.pos += len;
        return;
      }
      default: {
        const n = tag.wireType === WIRE_I64 ? 8 : 4;
        if (this.pos + n > limit)
          throw new InvalidOnnxError(
            `${what}: fixed-width value cut off by the end of ${limit === this.size ? 'the file' : 'its message'}`,
            this.pos,
          );
        this.pos += n;
      }
    }
  }

  /** `len` bytes at `pos` (the caller checked the length); valid until the next read. */
  async bytes(len: number): Promise<Uint8Array> {
    const start = this.pos;
    if (len > this.chunkSize) {
      this.pos = start + len;
      return this.source.read(start, len);
    }
    await this.ensure(len);
    this.pos = start + len;
    return this.buf.subarray(start - this.bufStart, start - this.bufStart + len);
  }

  async string(len: number): Promise<string> {
    return utf8.decode(await this.bytes(len));
  }
}
