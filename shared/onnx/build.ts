// Helpers to write real ONNX models from TypeScript (tests, the demo model,
// fixtures) with onnx-proto's generated encoder. Output is deterministic: no
// timestamps, metadata_props in key order, tensors as little-endian raw_data
// whatever the host's byte order.
//
// Types are given as the strings readOnnxMetadata returns ('float32',
// 'sequence<float32>', 'map<int64,float32>'), so a build → read round trip
// compares like with like.

import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import { elemTypeCode, elemTypeName } from './types.ts';

// onnx-proto is CommonJS: its namespace arrives as the default export under ESM.
const { onnx } = onnxProto;

export type Dim = number | string | null;

export interface ValueInfoSpec {
  name: string;
  /** Element type name for a tensor, or sequence<…>, optional<…>, map<k,v>, sparse_tensor<…>. */
  type: string;
  /** Tensor dimensions (number, symbolic name, or null for unknown); omitted or null: no shape. */
  shape?: Dim[] | null;
}

export type AttrValue =
  | { int: number }
  | { float: number }
  | { string: string }
  | { ints: number[] }
  | { floats: number[] }
  | { strings: string[] }
  | { tensor: TensorInit };

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  domain?: string;
  attributes?: Record<string, AttrValue>;
}

export interface TensorInit {
  name: string;
  /** TensorProto.DataType code. */
  dataType: number;
  dims: number[];
  rawData: Uint8Array;
}

export interface ModelSpec {
  inputs: ValueInfoSpec[];
  outputs: ValueInfoSpec[];
  nodes: NodeSpec[];
  initializers?: TensorInit[];
  /** Default-domain opset version; 17 unless given. */
  opset?: number;
  /** Further operator sets, e.g. { domain: 'ai.onnx.ml', version: 3 }. */
  extraOpsets?: { domain: string; version: number }[];
  /** 8 unless given (the IR of opset 17). */
  irVersion?: number;
  producer?: { name: string; version?: string };
  domain?: string;
  modelVersion?: number;
  docString?: string;
  graphName?: string;
  metadataProps?: Record<string, string>;
  /** Also list every initializer as a graph input, as exporters did before IR 4. */
  initializersAsInputs?: boolean;
}

const utf8 = new TextEncoder();

function elemCode(name: string): number {
  const code = elemTypeCode(name);
  if (code === undefined) throw new Error(`unknown ONNX element type ${JSON.stringify(name)}`);
  return code;
}

function shapeProto(shape: Dim[]): OnnxTypes.ITensorShapeProto {
  return {
    dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {})),
  };
}

/** Splits "a,b" at its top-level comma (map<int64,sequence<map<string,float32>>> has inner ones). */
function splitPair(s: string): [string, string] {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '<') depth++;
    else if (c === '>') depth--;
    else if (c === ',' && depth === 0) return [s.slice(0, i).trim(), s.slice(i + 1).trim()];
  }
  throw new Error(`map type needs <key,value>, got ${JSON.stringify(s)}`);
}

export function typeProto(type: string, shape: Dim[] | null = null): OnnxTypes.ITypeProto {
  const m = /^(\w+)<(.*)>$/.exec(type.trim());
  if (!m) return { tensorType: { elemType: elemCode(type), ...(shape ? { shape: shapeProto(shape) } : {}) } };
  const [, kind, inner = ''] = m;
  switch (kind) {
    case 'sequence':
      return { sequenceType: { elemType: typeProto(inner) } };
    case 'optional':
      return { optionalType: { elemType: typeProto(inner) } };
    case 'sparse_tensor':
      return { sparseTensorType: { elemType: elemCode(inner), ...(shape ? { shape: shapeProto(shape) } : {}) } };
    case 'map': {
      const [key, value] = splitPair(inner);
      return { mapType: { keyType: elemCode(key), valueType: typeProto(value) } };
    }
    default:
      throw new Error(`unknown ONNX type ${JSON.stringify(type)}`);
  }
}

export function valueInfo(spec: ValueInfoSpec): OnnxTypes.IValueInfoProto {
  if (!spec.name) throw new Error('graph inputs and outputs need a name');
  return { name: spec.name, type: typeProto(spec.type, spec.shape ?? null) };
}

function count(dims: number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

function checkCount(name: string, dims: number[], n: number): void {
  if (count(dims) !== n)
    throw new Error(`tensor ${name}: dims [${dims.join(', ')}] hold ${count(dims)} values, got ${n}`);
}

/** A float32 tensor; values are rounded to float32 the way Float32Array does. */
export function floatTensor(name: string, dims: number[], data: ArrayLike<number>): TensorInit {
  checkCount(name, dims, data.length);
  const raw = new Uint8Array(data.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i]!, true);
  return { name, dataType: 1, dims: [...dims], rawData: raw };
}

export function int64Tensor(name: string, dims: number[], data: ArrayLike<number | bigint>): TensorInit {
  checkCount(name, dims, data.length);
  const raw = new Uint8Array(data.length * 8);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < data.length; i++) view.setBigInt64(i * 8, BigInt(data[i]!), true);
  return { name, dataType: 7, dims: [...dims], rawData: raw };
}

/** A tensor from bytes already in ONNX's little-endian layout. */
export function rawTensor(name: string, type: string, dims: number[], rawData: Uint8Array): TensorInit {
  return { name, dataType: elemCode(type), dims: [...dims], rawData };
}

function tensorProto(t: TensorInit): OnnxTypes.ITensorProto {
  return { name: t.name, dataType: t.dataType, dims: t.dims, rawData: t.rawData };
}

function attribute(name: string, v: AttrValue): OnnxTypes.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if ('int' in v) return { name, type: T.INT, i: v.int };
  if ('float' in v) return { name, type: T.FLOAT, f: v.float };
  if ('string' in v) return { name, type: T.STRING, s: utf8.encode(v.string) };
  if ('ints' in v) return { name, type: T.INTS, ints: v.ints };
  if ('floats' in v) return { name, type: T.FLOATS, floats: v.floats };
  if ('strings' in v) return { name, type: T.STRINGS, strings: v.strings.map((s) => utf8.encode(s)) };
  return { name, type: T.TENSOR, t: tensorProto(v.tensor) };
}

/** Shorthand for a NodeSpec. */
export function node(
  op: string,
  inputs: string[],
  outputs: string[],
  attributes?: Record<string, AttrValue>,
): NodeSpec {
  return attributes ? { op, inputs, outputs, attributes } : { op, inputs, outputs };
}

function nodeProto(n: NodeSpec, index: number): OnnxTypes.INodeProto {
  return {
    name: n.name ?? `${n.op}_${index}`,
    opType: n.op,
    domain: n.domain ?? '',
    input: n.inputs,
    output: n.outputs,
    attribute: Object.entries(n.attributes ?? {}).map(([k, v]) => attribute(k, v)),
  };
}

/** Encodes a model; the same spec always gives the same bytes. */
export function buildModel(spec: ModelSpec): Uint8Array {
  const initializers = spec.initializers ?? [];
  const inputs = spec.inputs.map(valueInfo);
  if (spec.initializersAsInputs) {
    for (const t of initializers)
      inputs.push(valueInfo({ name: t.name, type: elemTypeName(t.dataType), shape: t.dims }));
  }
  const props = Object.entries(spec.metadataProps ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const model: OnnxTypes.IModelProto = {
    irVersion: spec.irVersion ?? 8,
    producerName: spec.producer?.name ?? 'tinylcm',
    producerVersion: spec.producer?.version ?? '',
    domain: spec.domain ?? '',
    modelVersion: spec.modelVersion ?? 1,
    docString: spec.docString ?? '',
    graph: {
      name: spec.graphName ?? 'main',
      node: spec.nodes.map(nodeProto),
      initializer: initializers.map(tensorProto),
      input: inputs,
      output: spec.outputs.map(valueInfo),
    },
    opsetImport: [{ domain: '', version: spec.opset ?? 17 }, ...(spec.extraOpsets ?? [])],
    metadataProps: props.map(([key, value]) => ({ key, value })),
  };
  // finish() returns a Node Buffer under Node; copy into a plain Uint8Array so callers see one type everywhere.
  return new Uint8Array(onnx.ModelProto.encode(model).finish());
}
