/**
 * Tensor bookkeeping shared by the runtime, the worker and the CLI: which typed array holds which
 * element type, element counts, and which buffers may be handed to postMessage as transferables.
 */
import type { TensorArray, TensorData, TensorType } from '../types.ts';

type NumericType = Exclude<TensorType, 'string'>;
type TypedArrayCtor = { new (length: number): Exclude<TensorArray, string[]>; readonly name: string };

/**
 * The typed array onnxruntime-web uses for each element type. float16 travels as its raw bits in a
 * Uint16Array (Float16Array is not in every browser yet) and bool as one byte per value.
 */
export const TYPED_ARRAY_OF: Readonly<Record<NumericType, TypedArrayCtor>> = {
  float32: Float32Array,
  float64: Float64Array,
  float16: Uint16Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  bool: Uint8Array,
};

export const TENSOR_TYPES: readonly TensorType[] = [...(Object.keys(TYPED_ARRAY_OF) as NumericType[]), 'string'];

export function isTensorType(t: unknown): t is TensorType {
  return typeof t === 'string' && (TENSOR_TYPES as readonly string[]).includes(t);
}

/** The name of the array class a type needs, for error messages ("Float32Array", "string[]"). */
export function arrayNameOf(type: TensorType): string {
  return type === 'string' ? 'string[]' : TYPED_ARRAY_OF[type].name;
}

/** Whether `data` is the array class `type` needs (a Float64Array is not a float32 tensor). */
export function arrayFits(type: TensorType, data: unknown): boolean {
  if (type === 'string') return Array.isArray(data);
  return data instanceof TYPED_ARRAY_OF[type];
}

/** What a value's class is called, for "got …" in error messages. */
export function describeArray(data: unknown): string {
  if (Array.isArray(data)) return 'an Array';
  if (data === null || data === undefined) return String(data);
  if (ArrayBuffer.isView(data)) return data.constructor.name;
  return typeof data;
}

export function elementCount(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** A tensor of `dims` of zeros (0n, '' by type): the warm-up feeds. */
export function filledTensor(type: TensorType, dims: number[]): TensorData {
  const n = elementCount(dims);
  const data: TensorArray = type === 'string' ? new Array<string>(n).fill('') : new TYPED_ARRAY_OF[type](n);
  return { type, dims, data };
}

export function formatDims(dims: readonly (number | string | null)[]): string {
  return `[${dims.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

/**
 * Buffers of `tensors` that postMessage can move instead of copying: only a typed array that spans
 * its whole, non-shared buffer (moving a partly used buffer would detach data the caller still
 * holds elsewhere, and a SharedArrayBuffer cannot be transferred). Each buffer is listed once,
 * since postMessage rejects a list with duplicates.
 */
export function transferables(tensors: Iterable<TensorData>): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const t of tensors) {
    const d = t.data;
    if (!ArrayBuffer.isView(d)) continue;
    const buf = d.buffer;
    if (buf instanceof ArrayBuffer && d.byteOffset === 0 && d.byteLength === buf.byteLength) out.add(buf);
  }
  return [...out];
}
