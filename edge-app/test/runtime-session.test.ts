import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildModel, node } from '../../shared/onnx/build.ts';
import { InferenceInputError, LcmSession } from '../src/lcm/runtime/index.ts';
import { nodeOrt } from '../src/lcm/runtime/ort-node.ts';
import type { Feeds, TensorData } from '../src/lcm/types.ts';
import { demo, demoExpectations, FIXTURE_FILES, noShape, ODD_NAMES, oddNames, stateful } from './fixtures/models.ts';

const ort = nodeOrt();
const f32 = (dims: number[], values: number[]): TensorData => ({
  type: 'float32',
  dims,
  data: Float32Array.from(values),
});
const i64 = (dims: number[], values: bigint[]): TensorData => ({
  type: 'int64',
  dims,
  data: BigInt64Array.from(values),
});

async function rejectsInput(p: Promise<unknown>, input: string | null, message: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof InferenceInputError, `expected InferenceInputError, got ${String(err)}`);
    assert.equal(err.input, input);
    assert.match(err.message, message);
    return true;
  });
}

test('the demo model: metadata from the file, a warm-up at load, a batch of 2015 rows as its TypeScript twin predicts', async () => {
  const s = await LcmSession.create(ort, demo().onnx);
  assert.deepEqual(s.inputs, [{ name: 'features', type: 'float32', shape: ['batch', 4] }]);
  assert.deepEqual(
    s.outputs.map((o) => [o.name, o.type, o.shape]),
    [
      ['probabilities', 'float32', ['batch', 5]],
      ['label', 'int64', ['batch']],
    ],
  );
  assert.ok('ms' in s.warmUp && s.warmUp.ms >= 0, JSON.stringify(s.warmUp));
  const rows = demoExpectations();
  const { outputs, latencyMs } = await s.timedRun({
    features: f32(
      [rows.length, 4],
      rows.flatMap((r) => r.features),
    ),
  });
  assert.ok(latencyMs >= 0);
  const probs = outputs.probabilities!;
  assert.deepEqual([probs.type, probs.dims], ['float32', [rows.length, 5]]);
  assert.deepEqual([outputs.label!.type, outputs.label!.dims], ['int64', [rows.length]]);
  assert.ok(outputs.label!.data instanceof BigInt64Array);
  rows.forEach((r, i) => {
    assert.equal(outputs.label!.data[i], BigInt(r.label));
    r.probabilities.forEach((p, j) => assert.ok(Math.abs(Number(probs.data[i * 5 + j]) - p) < 1e-5));
  });
  await s.release();
});

test('a stateful model with a float32 state and an int64 scalar, run three steps', async () => {
  const s = await LcmSession.create(ort, stateful());
  let state = f32([1, 4], [8, 4, 2, 0]);
  let counter = i64([], [41n]);
  for (let step = 0; step < 3; step++) {
    const out = await s.run({ state, x: f32([1, 4], [1, 1, 1, 1]), counter });
    state = out.state_out!;
    counter = out.counter_out!;
  }
  // 8 → 5 → 3.5 → 2.75, 4 → 3 → 2.5 → 2.25, 2 stays, 0 → 1 → 1.5 → 1.75
  assert.deepEqual([...(state.data as Float32Array)], [2.75, 2.25, 2, 1.75]);
  assert.deepEqual(counter, { type: 'int64', dims: [], data: BigInt64Array.from([44n]) });
  // int64 beyond 2^53 survives both ways.
  const big = await s.run({ state, x: state, counter: i64([], [2n ** 62n]) });
  assert.equal(big.counter_out!.data[0], 2n ** 62n + 1n);
});

test('odd input and output names, and a symbolic batch of several rows', async () => {
  const s = await LcmSession.create(ort, oddNames());
  const out = await s.run({ [ODD_NAMES.input]: f32([2, 3], [1, 2, 3, 4, 5, 6]) });
  assert.deepEqual(Object.keys(out), [ODD_NAMES.doubled, ODD_NAMES.sum]);
  assert.deepEqual([...(out[ODD_NAMES.doubled]!.data as Float32Array)], [2, 4, 6, 8, 10, 12]);
  assert.deepEqual(out[ODD_NAMES.sum]!.dims, [2]);
  assert.deepEqual([...(out[ODD_NAMES.sum]!.data as Float32Array)], [6, 15]);
});

test('a model whose input has no shape loads without a warm-up and still runs', async () => {
  const s = await LcmSession.create(ort, noShape());
  assert.deepEqual(s.warmUp, { skipped: 'input "x" has no declared shape' });
  const out = await s.run({ x: f32([2, 2], [1, -2, 3, -4]) });
  assert.deepEqual([...(out.y!.data as Float32Array)], [-1, 2, -3, 4]);
});

test('a warm-up that fails on zeros is recorded, not fatal', async () => {
  // Reshaping 4 values to the warm-up's [0, 0] fails; real feeds give a real shape.
  const bytes = buildModel({
    inputs: [
      { name: 'x', type: 'float32', shape: [4] },
      { name: 'shape', type: 'int64', shape: [2] },
    ],
    outputs: [{ name: 'y', type: 'float32' }],
    nodes: [node('Reshape', ['x', 'shape'], ['y'])],
  });
  const s = await LcmSession.create(ort, bytes);
  assert.ok('skipped' in s.warmUp && s.warmUp.skipped.startsWith('warm-up run failed'), JSON.stringify(s.warmUp));
  const out = await s.run({ x: f32([4], [1, 2, 3, 4]), shape: i64([2], [2n, 2n]) });
  assert.deepEqual(out.y!.dims, [2, 2]);
});

test('bad feeds fail with an InferenceInputError naming the input, and the session keeps working', async () => {
  const s = await LcmSession.create(ort, stateful());
  const good = (): Feeds => ({
    state: f32([1, 4], [0, 0, 0, 0]),
    x: f32([1, 4], [1, 2, 3, 4]),
    counter: i64([], [0n]),
  });
  const { state: _s, ...noState } = good();
  await rejectsInput(s.run(noState), 'state', /^missing input "state": expected float32 \[1, 4\]$/);
  await rejectsInput(
    s.run({ ...good(), bogus: f32([1], [1]) }),
    'bogus',
    /unknown input "bogus"; the model's inputs are "state" \(float32 \[1, 4\]\), "x" \(float32 \[1, 4\]\), "counter" \(int64 \[\]\)/,
  );
  await rejectsInput(
    s.run({ ...good(), counter: f32([], [0]) }),
    'counter',
    /^input "counter": expected type int64, got "float32"$/,
  );
  await rejectsInput(
    s.run({ ...good(), x: { type: 'float32', dims: [1, 4], data: new Float64Array(4) } }),
    'x',
    /type float32 needs its data in a Float32Array, got Float64Array/,
  );
  await rejectsInput(
    s.run({ ...good(), x: { type: 'float32', dims: [1, 4], data: [1, 2, 3, 4] as unknown as Float32Array } }),
    'x',
    /got an Array/,
  );
  await rejectsInput(
    s.run({ ...good(), x: f32([4], [1, 2, 3, 4]) }),
    'x',
    /^input "x": expected rank 2 \[1, 4\], got dims \[4\]$/,
  );
  await rejectsInput(
    s.run({ ...good(), x: f32([1, 5], [1, 2, 3, 4, 5]) }),
    'x',
    /^input "x": dimension 1 must be 4 \(expected \[1, 4\]\), got dims \[1, 5\]$/,
  );
  await rejectsInput(
    s.run({ ...good(), x: f32([1, 4], [1, 2, 3]) }),
    'x',
    /^input "x": dims \[1, 4\] hold 4 values, but data has 3$/,
  );
  await rejectsInput(
    s.run({ ...good(), x: { type: 'float32', dims: [1, -4], data: new Float32Array(4) } }),
    'x',
    /dims must be an array of whole numbers/,
  );
  await rejectsInput(s.run({ ...good(), x: { type: 'float32', dims: [1, 4] } as TensorData }), 'x', /got undefined/);
  await rejectsInput(s.run(null as unknown as Feeds), null, /feeds must be an object/);
  const out = await s.run(good());
  assert.deepEqual([...(out.state_out!.data as Float32Array)], [1, 2, 3, 4]);
});

test('a symbolic dimension shared by two inputs must agree between them', async () => {
  const bytes = buildModel({
    inputs: [
      { name: 'a', type: 'float32', shape: ['batch', 2] },
      { name: 'b', type: 'float32', shape: ['batch', 2] },
    ],
    outputs: [{ name: 'c', type: 'float32', shape: ['batch', 2] }],
    nodes: [node('Add', ['a', 'b'], ['c'])],
  });
  const s = await LcmSession.create(ort, bytes);
  await rejectsInput(
    s.run({ a: f32([2, 2], [1, 2, 3, 4]), b: f32([1, 2], [1, 2]) }),
    'b',
    /^input "b": dimension 0 \(batch\) is 1, but input "a" has batch = 2$/,
  );
  const out = await s.run({ a: f32([2, 2], [1, 2, 3, 4]), b: f32([2, 2], [1, 1, 1, 1]) });
  assert.deepEqual([...(out.c!.data as Float32Array)], [2, 3, 4, 5]);
});

test('concurrent runs on one session are queued, each gets its own answer', async () => {
  const s = await LcmSession.create(ort, oddNames());
  const runs = Array.from({ length: 20 }, (_, i) => s.run({ [ODD_NAMES.input]: f32([1, 3], [i, i, i]) }));
  const sums = (await Promise.all(runs)).map((o) => o[ODD_NAMES.sum]!.data[0]);
  assert.deepEqual(
    sums,
    Array.from({ length: 20 }, (_, i) => 3 * i),
  );
});

test('outputs own their buffers (transferable without copying)', async () => {
  const s = await LcmSession.create(ort, demo().onnx);
  const out = await s.run({ features: f32([1, 4], [0, 10, 2, 3]) });
  for (const t of Object.values(out)) {
    const view = t.data as Float32Array;
    assert.equal(view.byteOffset, 0);
    assert.equal(view.byteLength, view.buffer.byteLength);
  }
});

test('the fixture files the browser tests fetch are what the builders make now', () => {
  for (const [file, build] of Object.entries(FIXTURE_FILES)) {
    const want = build();
    const have = readFileSync(new URL(`./fixtures/${file}`, import.meta.url));
    assert.ok(
      Buffer.from(typeof want === 'string' ? Buffer.from(want) : want).equals(have),
      `${file} is stale: run node --import tsx edge-app/test/fixtures/build-fixtures.ts`,
    );
  }
});

test('bool and float16 tensors cross onnxruntime as Uint8Array and Uint16Array bits', async () => {
  const bytes = buildModel({
    inputs: [
      { name: 'flags', type: 'bool', shape: [3] },
      { name: 'half', type: 'float16', shape: [2] },
    ],
    outputs: [
      { name: 'not', type: 'bool', shape: [3] },
      { name: 'wide', type: 'float32', shape: [2] },
      { name: 'same', type: 'float16', shape: [2] },
    ],
    nodes: [
      node('Not', ['flags'], ['not']),
      node('Cast', ['half'], ['wide'], { to: { int: 1 } }),
      node('Identity', ['half'], ['same']),
    ],
  });
  const s = await LcmSession.create(ort, bytes);
  const out = await s.run({
    flags: { type: 'bool', dims: [3], data: Uint8Array.from([1, 0, 1]) },
    half: { type: 'float16', dims: [2], data: Uint16Array.from([0x3c00, 0xc000]) },
  });
  assert.deepEqual(out.not, { type: 'bool', dims: [3], data: Uint8Array.from([0, 1, 0]) });
  assert.deepEqual([...(out.wide!.data as Float32Array)], [1, -2]);
  assert.deepEqual(out.same, { type: 'float16', dims: [2], data: Uint16Array.from([0x3c00, 0xc000]) });
});
