/**
 * One loaded model on onnxruntime-web. The same class runs in the browser's worker and in Node: the
 * ORT module is passed in (ort-browser.ts / ort-node.ts configure it), so nothing here imports a
 * platform build of ORT.
 */
import type * as OrtModule from 'onnxruntime-web';
import { bytesSource, readOnnxMetadata } from '../../../../shared/onnx/reader.ts';
import type { OnnxMetadata, OnnxValueInfo } from '../../../../shared/onnx/reader.ts';
import type { Feeds, Outputs, TensorArray, TensorData, TensorType } from '../types.ts';
import { filledTensor, isTensorType } from './tensors.ts';
import { FeedValidator } from './validate.ts';

/** What the runtime needs of an onnxruntime-web module (`onnxruntime-web` or `onnxruntime-web/wasm`). */
export type Ort = Pick<typeof OrtModule, 'InferenceSession' | 'Tensor' | 'env'>;

export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
}

/** Result of the warm-up run made at load: its time, or why there was none. */
export type WarmUp = { ms: number } | { skipped: string };

export interface SessionInfo {
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  /** Parse + session creation, milliseconds. */
  loadMs: number;
  warmUp: WarmUp;
}

export interface RunResult {
  outputs: Outputs;
  /** Time inside onnxruntime's run, milliseconds (validation and tensor wrapping excluded). */
  latencyMs: number;
}

export interface LoadOptions {
  /** Run the model once on zeros at load so the first real inference is not the slow one. Default true. */
  warmUp?: boolean;
}

export class LcmSession {
  readonly metadata: OnnxMetadata;
  readonly loadMs: number;
  warmUp: WarmUp = { skipped: 'not run yet' };
  private readonly validator: FeedValidator;
  /** ORT-web's wasm backend runs one call per session at a time; later calls wait their turn here. */
  private queue: Promise<unknown> = Promise.resolve();
  private inFlight = 0;

  private constructor(
    private readonly ort: Ort,
    private readonly session: OrtModule.InferenceSession,
    metadata: OnnxMetadata,
    loadMs: number,
  ) {
    this.metadata = metadata;
    this.loadMs = loadMs;
    this.validator = new FeedValidator(metadata.inputs);
  }

  /** Loads a model from its bytes. ORT copies them into wasm memory; the caller keeps `bytes`. */
  static async create(ort: Ort, bytes: Uint8Array, options: LoadOptions = {}): Promise<LcmSession> {
    const started = performance.now();
    // ORT's own metadata lacks symbolic dimension names on some builds; the reader gives the file's exact types and shapes.
    const metadata = await readOnnxMetadata(bytesSource(bytes));
    let session: OrtModule.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all' });
    } catch (err) {
      throw new ModelLoadError(
        `onnxruntime could not load the model: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
    const s = new LcmSession(ort, session, metadata, performance.now() - started);
    if (options.warmUp !== false) await s.runWarmUp();
    return s;
  }

  get inputs(): OnnxValueInfo[] {
    return this.metadata.inputs;
  }

  get outputs(): OnnxValueInfo[] {
    return this.metadata.outputs;
  }

  info(): SessionInfo {
    return { inputs: this.inputs, outputs: this.outputs, loadMs: this.loadMs, warmUp: this.warmUp };
  }

  /** Validates `feeds` (InferenceInputError on a mismatch), then runs the model. */
  async run(feeds: Feeds): Promise<Outputs> {
    return (await this.timedRun(feeds)).outputs;
  }

  timedRun(feeds: Feeds): Promise<RunResult> {
    // Validate synchronously so a bad call fails without waiting behind queued runs.
    this.validator.check(feeds);
    // Idle: run now (a queue hop per inference is measurable on a ~20 µs model); busy: wait in line.
    const next = this.inFlight === 0 ? this.runValidated(feeds) : this.queue.then(() => this.runValidated(feeds));
    this.inFlight++;
    const settled = next.finally(() => this.inFlight--);
    this.queue = settled.catch(() => undefined);
    return settled;
  }

  async release(): Promise<void> {
    await this.queue;
    await this.session.release();
  }

  private async runValidated(feeds: Feeds): Promise<RunResult> {
    const ortFeeds: Record<string, OrtModule.Tensor> = {};
    for (const name in feeds) {
      const t = feeds[name]!;
      ortFeeds[name] = new this.ort.Tensor(t.type, t.data as never, t.dims);
    }
    const started = performance.now();
    const results = await this.session.run(ortFeeds);
    const latencyMs = performance.now() - started;
    const outputs: Outputs = {};
    for (const name in results) outputs[name] = fromOrt(results[name]!);
    return { outputs, latencyMs };
  }

  private async runWarmUp(): Promise<void> {
    const feeds: Feeds = {};
    for (const input of this.inputs) {
      if (!isTensorType(input.type))
        return void (this.warmUp = { skipped: `input ${JSON.stringify(input.name)} is ${input.type}` });
      if (!input.shape)
        return void (this.warmUp = { skipped: `input ${JSON.stringify(input.name)} has no declared shape` });
      // A symbolic or unknown dimension becomes 1: a batch of one, a sequence of one step.
      feeds[input.name] = filledTensor(
        input.type,
        input.shape.map((d) => (typeof d === 'number' ? d : 1)),
      );
    }
    try {
      this.warmUp = { ms: (await this.timedRun(feeds)).latencyMs };
    } catch (err) {
      // Zeros are not valid input for every model (an index, a divisor); the model may still be fine on real data.
      this.warmUp = { skipped: `warm-up run failed: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
}

function fromOrt(t: OrtModule.Tensor): TensorData {
  let data = t.data as unknown as TensorArray;
  // Newer runtimes hand float16 out as Float16Array; keep the bits-in-Uint16Array form everywhere.
  if (t.type === 'float16' && !(data instanceof Uint16Array)) {
    const v = data as unknown as ArrayBufferView;
    data = new Uint16Array(v.buffer, v.byteOffset, v.byteLength / 2);
  }
  // A view into shared wasm memory (threaded builds) would change under the caller and cannot be transferred.
  if (ArrayBuffer.isView(data) && !(data.buffer instanceof ArrayBuffer)) data = data.slice() as TensorArray;
  return { type: t.type as TensorType, dims: [...t.dims], data };
}
