import assert from 'node:assert/strict';
import { afterEach, before, beforeEach, describe, it } from 'node:test';
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
    assert.equal(info.model.name, 'seattle-weather');
    assert.deepEqual(info.inputs, [{ name: 'features', type: 'float32', shape: ['batch', 4] }]);
    assert.ok('ms' in info.warmUp, JSON.stringify(info.warmUp));
    assert.equal(info.threads, Math.min(4, navigator.hardwareConcurrency));
    assert.ok(info.threads > 1);
    const rows = expected.rows;
    const { outputs, latencyMs, roundTripMs } = await rt.infer({
      features: f32(
        [rows.length, 4],
        rows.flatMap((r) => r.features),
      ),
    });
    assert.ok(latencyMs >= 0);
    assert.ok(roundTripMs >= latencyMs);
    assert.deepEqual(outputs.probabilities!.dims, [rows.length, 5]);
    assert.ok(outputs.label!.data instanceof BigInt64Array);
    rows.forEach((r, i) => {
      assert.equal(outputs.label!.data[i], BigInt(r.label));
      r.probabilities.forEach((p, j) => {
        const got = Number(outputs.probabilities!.data[i * 5 + j]);
        assert.ok(Math.abs(got - p) <= 1e-5, `${got} is not within 1e-5 of ${p}`);
      });
    });
  });

  it('starts onnxruntime as the worker starts, before any model, and loads the first model on it', async () => {
    const prepared = await rt.prepared;
    assert.ok('ms' in prepared && prepared.ms > 0, JSON.stringify(prepared));
    assert.equal(await rt.info(), null, 'the warm-up model is not left loaded');
    const info = await rt.load(await fixture('demo.onnx'), ref('seattle-weather'));
    assert.ok(info.threads > 1);
    const { outputs } = await rt.infer({ features: f32([1, 4], expected.rows[0]!.features) });
    assert.equal(outputs.label!.data[0], BigInt(expected.rows[0]!.label));
  });

  it('reports a runtime that cannot start ahead of time, and the load then fails with a clear error', async () => {
    const broken = new RuntimeWorker({
      wasmUrl: new URL('/no-such-ort.wasm', location.origin).href,
      callTimeoutMs: 5000,
    });
    try {
      const prepared = await broken.prepared;
      assert.ok(
        'error' in prepared && typeof prepared.error === 'string' && prepared.error !== '',
        JSON.stringify(prepared),
      );
      const err = await rejection(broken.load(await fixture('demo.onnx'), ref('seattle-weather')));
      assert.equal(err.name, 'ModelLoadError');
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
    assert.deepEqual([...(feeds.state!.data as Float32Array)], [2.75, 2.25, 2, 1.75]);
    assert.deepEqual(feeds.counter, { type: 'int64', dims: [], data: BigInt64Array.from([2n ** 60n + 3n]) });
  });

  it('handles odd input and output names and a batch of several rows', async () => {
    const names = { input: 'input x', doubled: 'y "doubled" {x2}', sum: "sum: 'per row' [x]" };
    await rt.load(await fixture('odd-names.onnx'), ref('odd'));
    const { outputs } = await rt.infer({ [names.input]: f32([3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]) });
    assert.deepEqual(Object.keys(outputs), [names.doubled, names.sum]);
    assert.deepEqual([...(outputs[names.sum]!.data as Float32Array)], [6, 15, 24]);
  });

  it('moves tensors across instead of copying them (unless asked not to)', async () => {
    await rt.load(await fixture('stateful.onnx'), ref('stateful'));
    const counter = (): TensorData => ({ type: 'int64', dims: [], data: new BigInt64Array(1) });
    const moved = f32([1, 4], [1, 2, 3, 4]);
    const { outputs } = await rt.infer({ state: moved, x: f32([1, 4], [0, 0, 0, 0]), counter: counter() });
    assert.equal((moved.data as Float32Array).buffer.byteLength, 0);
    assert.ok((outputs.state_out!.data as Float32Array).buffer instanceof ArrayBuffer);
    const kept = f32([1, 4], [1, 2, 3, 4]);
    await rt.infer({ state: kept, x: kept, counter: counter() }, { transfer: false });
    assert.deepEqual([...(kept.data as Float32Array)], [1, 2, 3, 4]);
    // Reusing a moved tensor is a mistake the client names instead of failing deep in postMessage.
    const err = await rejection(rt.infer({ state: moved, x: kept, counter: counter() }));
    assert.ok(err instanceof InferenceInputError);
    assert.match(err.message, /input "state": its buffer was moved to the worker by an earlier call/);
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
      assert.ok(err instanceof InferenceInputError);
      assert.equal((err as InferenceInputError).input, input);
      assert.match(err.message, message);
    }
    const { outputs } = await rt.infer({ features: f32([1, 4], [0, 10, 2, 3]) });
    assert.deepEqual(outputs.probabilities!.dims, [1, 5]);
    assert.equal(rt.restarts, 0);
  });

  it('keeps the previous model when a new one fails to load', async () => {
    await rt.load(await fixture('stateful.onnx'), ref('stateful'));
    const err = await rejection(rt.load(Uint8Array.from([8, 1, 1, 1]), ref('broken')));
    assert.equal(err.name, 'InvalidOnnxError');
    assert.equal((await rt.info())!.model.name, 'stateful');
  });

  it('replaces a worker that throws an uncaught error, reloads the model and reports the failure', async () => {
    await rt.load(await fixture('demo.onnx'), ref('seattle-weather'));
    const failure = nextFailure(rt);
    await rt.crash('throw');
    const detail = await failure;
    assert.deepEqual(
      { reason: detail.reason, reloaded: detail.reloaded, restarts: detail.restarts },
      { reason: 'error', reloaded: true, restarts: 1 },
    );
    assert.equal(detail.model!.name, 'seattle-weather');
    const { outputs } = await rt.infer({ features: f32([1, 4], [0, 10, 2, 3]) });
    assert.deepEqual(outputs.label!.dims, [1]);
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
      assert.ok(err instanceof RuntimeWorkerError);
      assert.equal((err as RuntimeWorkerError).reason, 'timeout');
      assert.match(err.message, new RegExp(`did not answer ${what} within 300 ms`));
    };
    // A worker that closed itself answers nothing more: the next call is the one that times out.
    let failure = nextFailure(rt);
    await rt.crash('close');
    await expectTimeout(rt.infer(feeds(), { timeoutMs: 300 }), 'infer');
    const closed = await failure;
    assert.deepEqual({ reason: closed.reason, reloaded: closed.reloaded }, { reason: 'timeout', reloaded: true });
    assert.deepEqual([...((await rt.infer(feeds())).outputs.state_out!.data as Float32Array)], [2, 2, 2, 2]);
    // A worker stuck in a loop.
    failure = nextFailure(rt);
    await expectTimeout(rt.crash('hang', 300), 'crash');
    const hung = await failure;
    assert.deepEqual({ reason: hung.reason, reloaded: hung.reloaded }, { reason: 'timeout', reloaded: true });
    assert.deepEqual([...((await rt.infer(feeds())).outputs.state_out!.data as Float32Array)], [2, 2, 2, 2]);
    assert.equal(rt.restarts, 2);
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
    assert.equal(((await hang) as RuntimeWorkerError).reason, 'timeout');
    const err = await waiting;
    assert.ok(err instanceof RuntimeWorkerError);
    assert.match(err.message, /the runtime worker failed \(timeout/);
    assert.equal((await rt.infer(feeds())).outputs.counter_out!.data[0], 1n);
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
      const last = await gaveUp;
      assert.deepEqual(
        { reason: last.reason, gaveUp: last.gaveUp, restarts: last.restarts },
        { reason: 'error', gaveUp: true, restarts: 2 },
      );
      const err = await rejection(broken.capabilities());
      assert.equal((err as RuntimeWorkerError).reason, 'gave-up');
      assert.match(err.message, /failed 3 times in a row and is not restarted again/);
    } finally {
      broken.terminate();
      URL.revokeObjectURL(script);
    }
  });
});
