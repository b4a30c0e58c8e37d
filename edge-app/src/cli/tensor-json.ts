/**
 * Tensors as JSON, for the CLIs: `{"type": "float32", "dims": [1, 4], "data": [...]}`.
 *
 * In: `data` may be flat or nested (it is flattened); int64/uint64 values are JSON numbers (whole,
 * within 2^53) or decimal strings; float values may be "NaN", "Infinity", "-Infinity"; bool values
 * true/false or 0/1; float16 values are numbers (stored as half-precision bits).
 * Out: the same, with int64/uint64 as numbers when they are safe integers and strings otherwise.
 * Whether `dims` and `data` agree, and with the model, is the runtime's check (validate.ts).
 */
import {
  isTensorType,
  TENSOR_TYPES,
  TYPED_ARRAY_OF,
  type TensorArray,
  type TensorData,
  type TensorType,
} from '../lcm/index.ts';
import { UsageError } from '../../../shared/cli/command.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const INT_RANGE: Partial<Record<TensorType, [number, number]>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1],
};
const BIG_RANGE: Partial<Record<TensorType, [bigint, bigint]>> = {
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
};
const NON_FINITE: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

export function tensorFromJson(name: string, value: unknown): TensorData {
  const where = `input ${JSON.stringify(name)}`;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new UsageError(`${where}: expected {"type", "dims", "data"}, got ${JSON.stringify(value)}`);
  const { type, dims, data } = value as { type?: unknown; dims?: unknown; data?: unknown };
  if (!isTensorType(type))
    throw new UsageError(`${where}: unknown type ${JSON.stringify(type)}; one of ${TENSOR_TYPES.join(', ')}`);
  if (!Array.isArray(dims) || !dims.every((d) => Number.isSafeInteger(d) && d >= 0))
    throw new UsageError(`${where}: "dims" must be an array of whole numbers ≥ 0, got ${JSON.stringify(dims)}`);
  if (!Array.isArray(data)) throw new UsageError(`${where}: "data" must be an array, got ${JSON.stringify(data)}`);
  const flat = (data as Json[]).flat(Infinity as 1) as Json[];
  return { type, dims: dims as number[], data: convert(where, type, flat) };
}

function convert(where: string, type: TensorType, values: Json[]): TensorArray {
  const bad = (i: number, what: string): never => {
    throw new UsageError(`${where}: data[${i}] = ${JSON.stringify(values[i])} is not ${what}`);
  };
  if (type === 'string') return values.map((v, i) => (typeof v === 'string' ? v : bad(i, 'a string')));
  const out = new TYPED_ARRAY_OF[type](values.length);
  values.forEach((v, i) => {
    if (type === 'int64' || type === 'uint64') {
      const [lo, hi] = BIG_RANGE[type]!;
      const b =
        typeof v === 'number' && Number.isSafeInteger(v)
          ? BigInt(v)
          : typeof v === 'string' && /^-?\d+$/.test(v.trim())
            ? BigInt(v.trim())
            : null;
      if (b === null || b < lo || b > hi) bad(i, `an ${type} (a whole number, or a decimal string beyond 2^53)`);
      (out as BigInt64Array)[i] = b!;
    } else if (type === 'bool') {
      if (v !== true && v !== false && v !== 0 && v !== 1) bad(i, 'a bool (true, false, 0 or 1)');
      (out as Uint8Array)[i] = v ? 1 : 0;
    } else {
      const n =
        typeof v === 'number'
          ? v
          : typeof v === 'string' && v in NON_FINITE
            ? NON_FINITE[v]!
            : bad(i, `a ${type} number`);
      const range = INT_RANGE[type];
      if (range && !(Number.isInteger(n) && n >= range[0] && n <= range[1])) bad(i, `an ${type}`);
      (out as Float32Array)[i] = type === 'float16' ? toHalf(n) : n;
    }
  });
  return out;
}

export function tensorToJson(t: TensorData): { type: TensorType; dims: number[]; data: Json[] } {
  const data: Json[] = [];
  for (let i = 0; i < t.data.length; i++) {
    const v = t.data[i]!;
    if (typeof v === 'bigint')
      data.push(
        v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString(),
      );
    else if (typeof v === 'string') data.push(v);
    else if (t.type === 'bool') data.push(v !== 0);
    else {
      const n = t.type === 'float16' ? fromHalf(v) : v;
      data.push(Number.isFinite(n) ? n : String(n));
    }
  }
  return { type: t.type, dims: t.dims, data };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE half-precision bits of `v` (via float32, round half to even). */
export function toHalf(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  let shift = 13;
  let h = e << 10;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000; // the implicit 1 becomes explicit in a subnormal
    shift = 14 - e;
    h = 0;
  }
  const rem = mant & ((1 << shift) - 1);
  const halfway = 1 << (shift - 1);
  h += mant >>> shift;
  if (rem > halfway || (rem === halfway && h & 1)) h++;
  return sign | h;
}

export function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 0x1f) return m ? NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}
