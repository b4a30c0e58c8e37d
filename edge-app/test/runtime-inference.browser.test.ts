import { expect } from '@esm-bundle/chai';
import { InferenceInputError } from '../src/lcm/runtime/validate.ts';
import type { Feeds, ModelRef, TensorData } from '../src/lcm/types.ts';
import { RuntimeWorker, RuntimeWorkerError } from '../src/worker/client.ts';
import type { RuntimeFailure } from '../src/worker/client.ts';

// web-test-runner serves node_modules as is; a Vite build passes ORT_WASM_URL from ort-assets.ts instead.
const wasmUrl = new URL('/node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm', location.origin).href;
const fixture = async (file: string) =>
  new Uint8Array(await (await fetch(new URL(`./fixtures/${file}`, import.meta.url))).arrayBuffer());
const ref = (name: string): ModelRef => ({ name, version: 1, sha256: '0'.repeat(64) });
const f32 = (dims: number[], values: number[]): TensorData => ({
  type: 'float32',
  dims,
  data: Float32Array.from(values),
});

interface DemoExpected {
  labels: string[];
  rows: { features: number[]; label: number; probabilities: number[] }[];
}

function nextFailure(rt: RuntimeWorker): Promise<RuntimeFailure> {
  return new Promise((resolve) =>
    rt.addEventListener('failure', (ev) => resolve((ev as CustomEvent<RuntimeFailure>).detail), { once: true }),
  );
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail');
}

describe('inference in the runtime worker (onnxruntime-web in Chromium)', () => {
  let rt: RuntimeWorker;
  let expected: DemoExpected;

  before(async () => {
    expected = await (await fetch(new URL('./fixtures/demo-expected.json', import.meta.url))).json();
  });
  beforeEach(() => {
    rt = new RuntimeWorker({ wasmUrl, callTimeoutMs: 5000 });
  });
  afterEach(() => rt.terminate());

  it('loads the demo model with threads in a cross-origin isolated worker, and predicts what its TypeScript twin does', async () => {
    const info = await rt.load(await fixture('demo.onnx'), ref('seattle-weather'));
    expect(info.model.name).to.equal('seattle-weather');
    expect(info.inputs).to.deep.equal([{ name: 'features', type: 'float32', shape: ['batch', 4] }]);
    expect(info.warmUp).to.have.property('ms');
    expect(info.threads).to.equal(Math.min(4, navigator.hardwareConcurrency));
    expect(info.threads).to.be.greaterThan(1);
    const rows = expected.rows;
    const { outputs, latencyMs, roundTripMs } = await rt.infer({
      features: f32(
        [rows.length, 4],
        rows.flatMap((r) => r.features),
      ),
    });
    expect(latencyMs).to.be.at.least(0);
    expect(roundTripMs).to.be.at.least(latencyMs);
    expect(outputs.probabilities!.dims).to.deep.equal([rows.length, 5]);
    expect(outputs.label!.data).to.be.instanceOf(BigInt64Array);
    rows.forEach((r, i) => {
      expect(outputs.label!.data[i]).to.equal(BigInt(r.label));
      r.probabilities.forEach((p, j) => expect(Number(outputs.probabilities!.data[i * 5 + j])).to.be.closeTo(p, 1e-5));
    });
  });

  it('starts onnxruntime as the worker starts, before any model, and loads the first model on it', async () => {
    const prepared = await rt.prepared;
    expect(prepared, JSON.stringify(prepared)).to.have.property('ms').that.is.greaterThan(0);
    expect(await rt.info(), 'the warm-up model is not left loaded').to.equal(null);
    const info = await rt.load(await fixture('demo.onnx'), ref('seattle-weather'));
    expect(info.threads).to.be.greaterThan(1);
    const { outputs } = await rt.infer({ features: f32([1, 4], expected.rows[0]!.features) });
    expect(outputs.label!.data[0]).to.equal(BigInt(expected.rows[0]!.label));
  });

  it('reports a runtime that cannot start ahead of time, and the load then fails with a clear error', async () => {
    const broken = new RuntimeWorker({
      wasmUrl: new URL('/no-such-ort.wasm', location.origin).href,
      callTimeoutMs: 5000,
    });
    try {
      const prepared = await broken.prepared;
      expect(prepared).to.have.property('error').that.is.a('string').and.not.empty;
      const err = await rejection(broken.load(await fixture('demo.onnx'), ref('seattle-weather')));
      expect(err.name).to.equal('ModelLoadError');
    } finally {
      broken.terminate();
    }
  });

  it('runs a stateful model (float32 state + int64 scalar) step after step', async () => {
    await rt.load(await fixture('stateful.onnx'), ref('stateful'));
    let feeds: Feeds = {
      state: f32([1, 4], [8, 4, 2, 0]),
      x: f32([1, 4], [1, 1, 1, 1]),
      counter: { type: 'int64', dims: [], data: BigInt64Array.from([2n ** 60n]) },
    };
    for (let step = 0; step < 3; step++) {
      const { outputs } = await rt.infer(feeds);
      feeds = { state: outputs.state_out!, x: f32([1, 4], [1, 1, 1, 1]), counter: outputs.counter_out! };
    }
    expect([...(feeds.state!.data as Float32Array)]).to.deep.equal([2.75, 2.25, 2, 1.75]);
    expect(feeds.counter).to.deep.equal({ type: 'int64', dims: [], data: BigInt64Array.from([2n ** 60n + 3n]) });
  });

  it('handles odd input and output names and a batch of several rows', async () => {
    const names = { input: 'input x', doubled: 'y "doubled" {x2}', sum: "sum: 'per row' [x]" };
    await rt.load(await fixture('odd-names.onnx'), ref('odd'));
    const { outputs } = await rt.infer({ [names.input]: f32([3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]) });
    expect(Object.keys(outputs)).to.deep.equal([names.doubled, names.sum]);
    expect([...(outputs[names.sum]!.data as Float32Array)]).to.deep.equal([6, 15, 24]);
  });

  it('moves tensors across instead of copying them (unless asked not to)', async () => {
    await rt.load(await fixture('stateful.onnx'), ref('stateful'));
    const counter = (): TensorData => ({ type: 'int64', dims: [], data: new BigInt64Array(1) });
    const moved = f32([1, 4], [1, 2, 3, 4]);
    const { outputs } = await rt.infer({ state: moved, x: f32([1, 4], [0, 0, 0, 0]), counter: counter() });
    expect((moved.data as Float32Array).buffer.byteLength).to.equal(0);
    expect((outputs.state_out!.data as Float32Array).buffer).to.be.instanceOf(ArrayBuffer);
    const kept = f32([1, 4], [1, 2, 3, 4]);
    await rt.infer({ state: kept, x: kept, counter: counter() }, { transfer: false });
    expect([...(kept.data as Float32Array)]).to.deep.equal([1, 2, 3, 4]);
    // Reusing a moved tensor is a mistake the client names instead of failing deep in postMessage.
    const err = await rejection(rt.infer({ state: moved, x: kept, counter: counter() }));
    expect(err).to.be.instanceOf(InferenceInputError);
    expect(err.message).to.match(/input "state": its buffer was moved to the worker by an earlier call/);
  });

  it('refuses bad inputs with a clear error naming the input, and keeps answering', async () => {
    await rt.load(await fixture('demo.onnx'), ref('seattle-weather'));
    const cases: [Feeds, string, RegExp][] = [
      [
        { feature: f32([1, 4], [0, 1, 2, 3]) },
        'feature',
        /unknown input "feature"; the model's inputs are "features" \(float32 \[batch, 4\]\)/,
      ],
      [{}, 'features', /missing input "features": expected float32 \[batch, 4\]/],
      [{ features: f32([1, 5], [0, 1, 2, 3, 4]) }, 'features', /dimension 1 must be 4/],
      [{ features: f32([4], [0, 1, 2, 3]) }, 'features', /expected rank 2/],
      [
        { features: { type: 'float64', dims: [1, 4], data: new Float64Array(4) } },
        'features',
        /expected type float32, got "float64"/,
      ],
      [{ features: f32([2, 4], [0, 1, 2, 3]) }, 'features', /dims \[2, 4\] hold 8 values, but data has 4/],
    ];
    for (const [feeds, input, message] of cases) {
      const err = await rejection(rt.infer(feeds));
      expect(err).to.be.instanceOf(InferenceInputError);
      expect((err as InferenceInputError).input).to.equal(input);
      expect(err.message).to.match(message);
    }
    const { outputs } = await rt.infer({ features: f32([1, 4], [0, 10, 2, 3]) });
    expect(outputs.probabilities!.dims).to.deep.equal([1, 5]);
    expect(rt.restarts).to.equal(0);
  });

  it('keeps the previous model when a new one fails to load', async () => {
    await rt.load(await fixture('stateful.onnx'), ref('stateful'));
    const err = await rejection(rt.load(Uint8Array.from([8, 1, 1, 1]), ref('broken')));
    expect(err.name).to.equal('InvalidOnnxError');
    expect((await rt.info())!.model.name).to.equal('stateful');
  });

  it('replaces a worker that throws an uncaught error, reloads the model and reports the failure', async () => {
    await rt.load(await fixture('demo.onnx'), ref('seattle-weather'));
    const failure = nextFailure(rt);
    await rt.crash('throw');
    const detail = await failure;
    expect(detail).to.include({ reason: 'error', reloaded: true, restarts: 1 });
    expect(detail.model!.name).to.equal('seattle-weather');
    const { outputs } = await rt.infer({ features: f32([1, 4], [0, 10, 2, 3]) });
    expect(outputs.label!.dims).to.deep.equal([1]);
  });

  it('replaces a worker that stops answering: the call times out, the next call works', async () => {
    await rt.load(await fixture('stateful.onnx'), ref('stateful'));
    const feeds = (): Feeds => ({
      state: f32([1, 4], [2, 2, 2, 2]),
      x: f32([1, 4], [1, 1, 1, 1]),
      counter: { type: 'int64', dims: [], data: new BigInt64Array(1) },
    });
    const expectTimeout = async (call: Promise<unknown>, what: string) => {
      const err = await rejection(call);
      expect(err).to.be.instanceOf(RuntimeWorkerError);
      expect((err as RuntimeWorkerError).reason).to.equal('timeout');
      expect(err.message).to.match(new RegExp(`did not answer ${what} within 300 ms`));
    };
    // A worker that closed itself answers nothing more: the next call is the one that times out.
    let failure = nextFailure(rt);
    await rt.crash('close');
    await expectTimeout(rt.infer(feeds(), { timeoutMs: 300 }), 'infer');
    expect(await failure).to.include({ reason: 'timeout', reloaded: true });
    expect([...((await rt.infer(feeds())).outputs.state_out!.data as Float32Array)]).to.deep.equal([2, 2, 2, 2]);
    // A worker stuck in a loop.
    failure = nextFailure(rt);
    await expectTimeout(rt.crash('hang', 300), 'crash');
    expect(await failure).to.include({ reason: 'timeout', reloaded: true });
    expect([...((await rt.infer(feeds())).outputs.state_out!.data as Float32Array)]).to.deep.equal([2, 2, 2, 2]);
    expect(rt.restarts).to.equal(2);
  });

  it('fails the other calls in flight when the worker dies, instead of leaving them hanging', async () => {
    await rt.load(await fixture('stateful.onnx'), ref('stateful'));
    const hang = rejection(rt.crash('hang', 400));
    // Each call moves its feeds' buffers, so each gets fresh ones.
    const feeds = (): Feeds => ({
      state: f32([1, 4], [0, 0, 0, 0]),
      x: f32([1, 4], [1, 1, 1, 1]),
      counter: { type: 'int64', dims: [], data: new BigInt64Array(1) },
    });
    const waiting = rejection(rt.infer(feeds(), { timeoutMs: 10_000 }));
    expect(((await hang) as RuntimeWorkerError).reason).to.equal('timeout');
    const err = await waiting;
    expect(err).to.be.instanceOf(RuntimeWorkerError);
    expect(err.message).to.match(/the runtime worker failed \(timeout/);
    expect((await rt.infer(feeds())).outputs.counter_out!.data[0]).to.equal(1n);
  });

  it('gives up, with a clear error, on a worker that cannot even start', async () => {
    const script = URL.createObjectURL(
      new Blob(['throw new Error("this worker cannot start")'], { type: 'text/javascript' }),
    );
    const broken = new RuntimeWorker({
      createWorker: () => new Worker(script, { type: 'module' }),
      callTimeoutMs: 2000,
    });
    try {
      const gaveUp = new Promise<RuntimeFailure>((resolve) =>
        broken.addEventListener('failure', (ev) => {
          const detail = (ev as CustomEvent<RuntimeFailure>).detail;
          if (detail.gaveUp) resolve(detail);
        }),
      );
      expect(await gaveUp).to.include({ reason: 'error', gaveUp: true, restarts: 2 });
      const err = await rejection(broken.capabilities());
      expect((err as RuntimeWorkerError).reason).to.equal('gave-up');
      expect(err.message).to.match(/failed 3 times in a row and is not restarted again/);
    } finally {
      broken.terminate();
      URL.revokeObjectURL(script);
    }
  });
});
