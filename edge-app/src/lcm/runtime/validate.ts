/**
 * Checks feeds against the model's declared inputs before onnxruntime sees them. ORT's own errors
 * name dimensions by index and sometimes abort the wasm instance; ours name the input and say what
 * it expects. The checks are precomputed at load so a valid call allocates nothing.
 */
import type { OnnxValueInfo } from '../../../../shared/onnx/reader.ts';
import type { Feeds, TensorData, TensorType } from '../types.ts';
import { arrayFits, arrayNameOf, describeArray, elementCount, formatDims, isTensorType } from './tensors.ts';

export class InferenceInputError extends Error {
  override name = 'InferenceInputError';
  /** The input the problem is about; null when it concerns the feeds as a whole. */
  readonly input: string | null;
  constructor(message: string, input: string | null) {
    super(message);
    this.input = input;
  }
}

type Dim = number | string | null;

interface InputCheck {
  name: string;
  declaredType: string;
  /** Null when the model's type is one the runtime cannot feed (sequence, map, bfloat16, …). */
  type: TensorType | null;
  shape: Dim[] | null;
}

/** `"features" (float32 [batch, 4])`. */
export function describeInput(v: OnnxValueInfo): string {
  return `${JSON.stringify(v.name)} (${v.type}${v.shape ? ` ${formatDims(v.shape)}` : ''})`;
}

export class FeedValidator {
  private readonly checks: InputCheck[];
  private readonly byName = new Map<string, InputCheck>();
  /** Pairs of [input index, dim index] that share a symbolic dimension and must agree. */
  private readonly linked: { symbol: string; a: [number, number]; b: [number, number] }[] = [];
  private readonly summary: string;

  constructor(inputs: readonly OnnxValueInfo[]) {
    this.checks = inputs.map((v) => ({
      name: v.name,
      declaredType: v.type,
      type: isTensorType(v.type) ? v.type : null,
      shape: v.shape,
    }));
    for (const c of this.checks) this.byName.set(c.name, c);
    this.summary = inputs.length ? inputs.map(describeInput).join(', ') : 'none';
    const first = new Map<string, [number, number]>();
    this.checks.forEach((c, i) =>
      c.shape?.forEach((d, j) => {
        if (typeof d !== 'string') return;
        const seen = first.get(d);
        if (seen) this.linked.push({ symbol: d, a: seen, b: [i, j] });
        else first.set(d, [i, j]);
      }),
    );
  }

  /** Throws InferenceInputError on the first problem found. */
  check(feeds: Feeds): void {
    if (typeof feeds !== 'object' || feeds === null || Array.isArray(feeds)) {
      throw new InferenceInputError(
        `feeds must be an object of input name → tensor, got ${describeArray(feeds)}`,
        null,
      );
    }
    for (const name in feeds) {
      if (!this.byName.has(name))
        throw new InferenceInputError(
          `unknown input ${JSON.stringify(name)}; the model's inputs are ${this.summary}`,
          name,
        );
    }
    for (const c of this.checks) this.checkOne(c, feeds[c.name]);
    for (const { symbol, a, b } of this.linked) {
      const va = feeds[this.checks[a[0]]!.name]!.dims[a[1]];
      const vb = feeds[this.checks[b[0]]!.name]!.dims[b[1]];
      if (va !== vb) {
        throw new InferenceInputError(
          `input ${JSON.stringify(this.checks[b[0]]!.name)}: dimension ${b[1]} (${symbol}) is ${vb}, but input ${JSON.stringify(this.checks[a[0]]!.name)} has ${symbol} = ${va}`,
          this.checks[b[0]]!.name,
        );
      }
    }
  }

  private checkOne(c: InputCheck, t: TensorData | undefined): void {
    if (t === undefined)
      throw new InferenceInputError(`missing input ${JSON.stringify(c.name)}: expected ${expectedOf(c)}`, c.name);
    if (c.type === null) fail(c, `the model declares ${c.declaredType}, which this runtime cannot feed`);
    if (typeof t !== 'object' || t === null) fail(c, `expected a tensor {type, dims, data}, got ${describeArray(t)}`);
    if (t.type !== c.type) fail(c, `expected type ${c.declaredType}, got ${JSON.stringify(t.type)}`);
    if (!arrayFits(c.type, t.data))
      fail(c, `type ${c.type} needs its data in a ${arrayNameOf(c.type)}, got ${describeArray(t.data)}`);
    const dims = t.dims;
    if (!Array.isArray(dims)) fail(c, `dims must be an array of whole numbers ≥ 0, got ${JSON.stringify(dims)}`);
    for (const d of dims)
      if (!Number.isSafeInteger(d) || d < 0)
        fail(c, `dims must be an array of whole numbers ≥ 0, got ${JSON.stringify(dims)}`);
    if (c.shape) {
      if (dims.length !== c.shape.length)
        fail(c, `expected rank ${c.shape.length} ${formatDims(c.shape)}, got dims ${formatDims(dims)}`);
      for (let i = 0; i < dims.length; i++) {
        const want = c.shape[i];
        if (typeof want === 'number' && dims[i] !== want)
          fail(c, `dimension ${i} must be ${want} (expected ${formatDims(c.shape)}), got dims ${formatDims(dims)}`);
      }
    }
    const n = elementCount(dims);
    if (t.data.length !== n) fail(c, `dims ${formatDims(dims)} hold ${n} values, but data has ${t.data.length}`);
  }
}

function expectedOf(c: InputCheck): string {
  return `${c.declaredType}${c.shape ? ` ${formatDims(c.shape)}` : ''}`;
}

function fail(c: InputCheck, what: string): never {
  throw new InferenceInputError(`input ${JSON.stringify(c.name)}: ${what}`, c.name);
}
