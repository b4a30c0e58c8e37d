// The field-level half of the ONNX reader: walking a message's fields with
// wire-type checks and a memory budget, and decoding ValueInfoProto and
// TypeProto (with TensorShapeProto) into names, type strings and shapes.
// reader.ts builds the ModelProto and GraphProto walk on top of this.

import { elemTypeName } from './types.ts';
import { InvalidOnnxError, WIRE_LEN, WIRE_VARINT, wireTypeName } from './wire.ts';
import type { Tag, WireReader } from './wire.ts';

export interface OnnxValueInfo {
  name: string;
  /** `float32`, `int64`, … for tensors; `sequence<float32>`, `map<int64,float32>`, `optional<…>`, `sparse_tensor<…>` otherwise. */
  type: string;
  /** Per dimension: a size, a symbolic name ('batch'), or null when unknown; null when the model gives no shape. */
  shape: (number | string | null)[] | null;
}

/** Longest TypeProto nesting accepted (sequence<map<…>>); real models use two or three levels. */
const MAX_TYPE_DEPTH = 32;
/** Bookkeeping charged per kept entry on top of its string bytes. */
const ENTRY_COST = 32;

type TypeInfo = Pick<OnnxValueInfo, 'type' | 'shape'>;

export class MessageParser {
  private budget: number;
  constructor(
    protected readonly r: WireReader,
    maxBytes: number,
  ) {
    this.budget = maxBytes;
  }

  protected charge(n: number, offset: number): void {
    this.budget -= n;
    if (this.budget < 0)
      throw new InvalidOnnxError('metadata (names, strings, lists) exceeds the memory budget of the reader', offset);
  }

  /** Runs `handle` for every field of the message ending at `end`; fields it does not take are skipped. */
  protected async each(end: number, message: string, handle: (tag: Tag) => Promise<boolean>): Promise<void> {
    while (this.r.pos < end) {
      const tag = await this.r.tag(end, message);
      if (!(await handle(tag))) await this.r.skip(tag, end, message);
    }
  }

  private expect(tag: Tag, wireType: number, what: string): void {
    if (tag.wireType !== wireType) {
      throw new InvalidOnnxError(
        `${what} (field ${tag.field}) has wire type ${wireTypeName(tag.wireType)}, expected ${wireTypeName(wireType)}`,
        tag.offset,
      );
    }
  }

  /** Start of a sub-message: returns where it ends. */
  protected async sub(tag: Tag, end: number, what: string): Promise<number> {
    this.expect(tag, WIRE_LEN, what);
    const len = await this.r.length(end, what);
    return this.r.pos + len;
  }

  protected async text(tag: Tag, end: number, what: string): Promise<string> {
    this.expect(tag, WIRE_LEN, what);
    const len = await this.r.length(end, what);
    this.charge(len + ENTRY_COST, tag.offset);
    return this.r.string(len);
  }

  protected async int(tag: Tag, end: number, what: string): Promise<number> {
    this.expect(tag, WIRE_VARINT, what);
    return this.r.varint(end, what, true);
  }

  protected async valueInfo(end: number): Promise<OnnxValueInfo> {
    const v: OnnxValueInfo = { name: '', type: 'undefined', shape: null };
    this.charge(ENTRY_COST, this.r.pos);
    await this.each(end, 'ValueInfoProto', async (t) => {
      if (t.field === 1) v.name = await this.text(t, end, 'ValueInfoProto.name');
      else if (t.field === 2) Object.assign(v, await this.typeProto(await this.sub(t, end, 'ValueInfoProto.type'), 0));
      else return false;
      return true;
    });
    return v;
  }

  private async typeProto(end: number, depth: number): Promise<TypeInfo> {
    const T = 'TypeProto';
    if (depth > MAX_TYPE_DEPTH)
      throw new InvalidOnnxError(`${T} nested deeper than ${MAX_TYPE_DEPTH} levels`, this.r.pos);
    let info: TypeInfo = { type: 'undefined', shape: null };
    const inner = async (e: number, field: number): Promise<TypeInfo> => {
      let elem: TypeInfo = { type: 'undefined', shape: null };
      await this.each(e, `${T} element`, async (t) => {
        if (t.field !== field) return false;
        elem = await this.typeProto(await this.sub(t, e, `${T} element type`), depth + 1);
        return true;
      });
      return elem;
    };
    await this.each(end, T, async (t) => {
      switch (t.field) {
        case 1:
          info = await this.tensorType(await this.sub(t, end, `${T}.tensor_type`));
          return true;
        case 8: {
          const s = await this.tensorType(await this.sub(t, end, `${T}.sparse_tensor_type`));
          info = { type: `sparse_tensor<${s.type}>`, shape: s.shape };
          return true;
        }
        case 4:
          info = {
            type: `sequence<${(await inner(await this.sub(t, end, `${T}.sequence_type`), 1)).type}>`,
            shape: null,
          };
          return true;
        case 9:
          info = {
            type: `optional<${(await inner(await this.sub(t, end, `${T}.optional_type`), 1)).type}>`,
            shape: null,
          };
          return true;
        case 5: {
          const e = await this.sub(t, end, `${T}.map_type`);
          let key = 0;
          let value: TypeInfo = { type: 'undefined', shape: null };
          await this.each(e, `${T}.Map`, async (m) => {
            if (m.field === 1) key = await this.int(m, e, `${T}.Map.key_type`);
            else if (m.field === 2)
              value = await this.typeProto(await this.sub(m, e, `${T}.Map.value_type`), depth + 1);
            else return false;
            return true;
          });
          info = { type: `map<${elemTypeName(key)},${value.type}>`, shape: null };
          return true;
        }
        case 7: {
          const e = await this.sub(t, end, `${T}.opaque_type`);
          let domain = '',
            name = '';
          await this.each(e, `${T}.Opaque`, async (m) => {
            if (m.field === 1) domain = await this.text(m, e, `${T}.Opaque.domain`);
            else if (m.field === 2) name = await this.text(m, e, `${T}.Opaque.name`);
            else return false;
            return true;
          });
          info = { type: `opaque<${domain ? `${domain}.` : ''}${name}>`, shape: null };
          return true;
        }
        default:
          return false;
      }
    });
    return info;
  }

  /** TypeProto.Tensor and TypeProto.SparseTensor share their layout: elem_type 1, shape 2. */
  private async tensorType(end: number): Promise<TypeInfo> {
    let elem = 0;
    let shape: (number | string | null)[] | null = null;
    await this.each(end, 'TypeProto.Tensor', async (t) => {
      if (t.field === 1) elem = await this.int(t, end, 'TypeProto.Tensor.elem_type');
      else if (t.field === 2) shape = await this.shape(await this.sub(t, end, 'TypeProto.Tensor.shape'));
      else return false;
      return true;
    });
    return { type: elemTypeName(elem), shape };
  }

  private async shape(end: number): Promise<(number | string | null)[]> {
    const dims: (number | string | null)[] = [];
    await this.each(end, 'TensorShapeProto', async (t) => {
      if (t.field !== 1) return false;
      const e = await this.sub(t, end, 'TensorShapeProto.dim');
      this.charge(ENTRY_COST, t.offset);
      let dim: number | string | null = null;
      await this.each(e, 'TensorShapeProto.Dimension', async (d) => {
        if (d.field === 1) dim = await this.int(d, e, 'Dimension.dim_value');
        else if (d.field === 2) dim = await this.text(d, e, 'Dimension.dim_param');
        else return false;
        return true;
      });
      dims.push(dim);
      return true;
    });
    return dims;
  }
}
