// ONNX TensorProto.DataType codes ↔ the lower-case element type names the
// registry, the console and the device show. Names follow onnxruntime-web's
// tensor types where one exists (FLOAT → float32, DOUBLE → float64), so a
// model's declared input type can be handed to `new ort.Tensor(type, …)`.

/** Index = TensorProto.DataType code (onnx.proto; 17–24 since ONNX 1.14–1.18, 25–26 since 1.20). */
const NAMES: readonly string[] = [
  'undefined', // 0 UNDEFINED
  'float32', // 1 FLOAT
  'uint8', // 2
  'int8', // 3
  'uint16', // 4
  'int16', // 5
  'int32', // 6
  'int64', // 7
  'string', // 8
  'bool', // 9
  'float16', // 10
  'float64', // 11 DOUBLE
  'uint32', // 12
  'uint64', // 13
  'complex64', // 14
  'complex128', // 15
  'bfloat16', // 16
  'float8e4m3fn', // 17
  'float8e4m3fnuz', // 18
  'float8e5m2', // 19
  'float8e5m2fnuz', // 20
  'uint4', // 21
  'int4', // 22
  'float4e2m1', // 23
  'float8e8m0', // 24
  'uint2', // 25
  'int2', // 26
];

/**
 * Name of an element type code. Codes newer than this table come back as
 * `unknown(N)` rather than failing: a model from a newer exporter is still a
 * model, and the registry can show what it could not name.
 */
export function elemTypeName(code: number): string {
  return NAMES[code] ?? `unknown(${code})`;
}

/** Code of an element type name (`float32`, also accepts ONNX's `float` and `double`); undefined if unknown. */
export function elemTypeCode(name: string): number | undefined {
  const n = name.toLowerCase();
  if (n === 'float') return 1;
  if (n === 'double') return 11;
  const i = NAMES.indexOf(n);
  return i > 0 ? i : undefined;
}

/** Every element type name this module knows, in code order (without 'undefined'). */
export const ELEM_TYPE_NAMES: readonly string[] = NAMES.slice(1);
