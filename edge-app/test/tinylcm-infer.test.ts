// `tinylcm infer` as a real process, on models the project builds with its own ONNX writer.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CliHost, startCliHost } from '../../testing/cli-host.ts';
import { demo, demoExpectations, ODD_NAMES, oddNames, stateful } from './fixtures/models.ts';

const BIN = fileURLToPath(new URL('../../bin/tinylcm.js', import.meta.url));
let dir = '';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** A real `tinylcm` process: used once, to show the CLI also exits by itself. */
function tinylcmProcess(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: dir }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

let host: CliHost;
/** Every other call goes through one CLI host process (a process per call cost seconds each). */
const tinylcm = (...args: string[]): Promise<Run> => host.run(args, {}, dir);

async function feedsFile(name: string, content: unknown): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

async function inferJson(model: string, feeds: unknown) {
  const r = await tinylcm(
    'infer',
    '--model',
    model,
    '--input',
    await feedsFile(`${model}-${Math.random()}.json`, feeds),
    '--json',
  );
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
  const out = JSON.parse(r.stdout) as {
    outputs: Record<string, { type: string; dims: number[]; data: unknown[] }>;
    latencyMs: number;
  };
  assert.ok(typeof out.latencyMs === 'number' && out.latencyMs >= 0);
  return out;
}

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tinylcm-infer-'));
  await writeFile(path.join(dir, 'demo.onnx'), demo().onnx);
  await writeFile(path.join(dir, 'stateful.onnx'), stateful());
  await writeFile(path.join(dir, 'odd.onnx'), oddNames());
  await writeFile(path.join(dir, 'not-onnx.onnx'), '{"this": "is json"}');
  host = await startCliHost('tinylcm');
});
after(async () => {
  await host.close();
  await rm(dir, { recursive: true, force: true });
});

describe('tinylcm infer', { concurrency: 4 }, () => {
  test('the demo model: a batch of 2015 rows (nested data, symbolic batch) as its TypeScript twin predicts', async () => {
    const rows = demoExpectations();
    const out = await inferJson('demo.onnx', {
      features: { type: 'float32', dims: [rows.length, 4], data: rows.map((r) => r.features) },
    });
    assert.deepEqual(Object.keys(out.outputs), ['probabilities', 'label']);
    assert.deepEqual(out.outputs.label, { type: 'int64', dims: [rows.length], data: rows.map((r) => r.label) });
    assert.deepEqual(out.outputs.probabilities!.dims, [rows.length, 5]);
    rows.forEach((r, i) =>
      r.probabilities.forEach((p, j) =>
        assert.ok(Math.abs((out.outputs.probabilities!.data[i * 5 + j] as number) - p) < 1e-5),
      ),
    );
  });

  test('a multi-input model: float32 state and an int64 scalar given as a number or as a string beyond 2^53', async () => {
    const feeds = (counter: number | string) => ({
      state: { type: 'float32', dims: [1, 4], data: [8, 4, 2, 0] },
      x: { type: 'float32', dims: [1, 4], data: [1, 1, 1, 'NaN'] },
      counter: { type: 'int64', dims: [], data: [counter] },
    });
    const small = await inferJson('stateful.onnx', feeds(41));
    assert.deepEqual(small.outputs, {
      state_out: { type: 'float32', dims: [1, 4], data: [5, 3, 2, 'NaN'] },
      counter_out: { type: 'int64', dims: [], data: [42] },
    });
    const big = await inferJson('stateful.onnx', feeds('9223372036854775806'));
    assert.deepEqual(big.outputs.counter_out!.data, ['9223372036854775807']);
  });

  test('input and output names with quotes, braces, colons and spaces; a batch of 3', async () => {
    const out = await inferJson('odd.onnx', {
      [ODD_NAMES.input]: { type: 'float32', dims: [3, 3], data: [1, 2, 3, 4, 5, 6, 7, 8, 9] },
    });
    assert.deepEqual(out.outputs, {
      [ODD_NAMES.doubled]: { type: 'float32', dims: [3, 3], data: [2, 4, 6, 8, 10, 12, 14, 16, 18] },
      [ODD_NAMES.sum]: { type: 'float32', dims: [3], data: [6, 15, 24] },
    });
  });

  test('without --json: a readable summary', async () => {
    const file = await feedsFile('summary.json', {
      features: { type: 'float32', dims: [1, 4], data: [0, 5.6, -3.2, 1.2] },
    });
    const r = await tinylcm('infer', '--model', 'demo.onnx', '--input', file);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'demo.onnx: inputs "features" (float32 [batch, 4])');
    assert.match(lines[1]!, /^run \d+\.\d{3} ms \(load \d+ ms, warm-up \d+\.\d{2} ms\)$/);
    assert.deepEqual(lines.slice(2), [
      '  probabilities  float32 [1, 5]  0.209691, 0.0867964, 0.0557561, 0.00378466, 0.643972',
      '  label          int64 [1]       4',
    ]);
  });

  const demoFeeds = (over: Record<string, unknown> = {}) => ({
    features: { type: 'float32', dims: [1, 4], data: [0, 1, 2, 3], ...over },
  });
  const bad: [string, unknown, RegExp][] = [
    ['not JSON', '{"features": ', /^tinylcm infer: \S+ is not valid JSON: /],
    ['a JSON array', '[1, 2]', /must hold a JSON object of input name/],
    [
      'an unknown input name',
      { feature: demoFeeds().features },
      /unknown input "feature"; the model's inputs are "features" \(float32 \[batch, 4\]\)$/,
    ],
    ['no inputs at all', {}, /missing input "features": expected float32 \[batch, 4\]$/],
    ['the wrong type', demoFeeds({ type: 'float64' }), /input "features": expected type float32, got "float64"$/],
    ['an unknown type', demoFeeds({ type: 'float' }), /input "features": unknown type "float"; one of float32, /],
    ['the wrong rank', demoFeeds({ dims: [4] }), /input "features": expected rank 2 \[batch, 4\], got dims \[4\]$/],
    [
      'a fixed dimension mismatch',
      demoFeeds({ dims: [1, 3], data: [0, 1, 2] }),
      /input "features": dimension 1 must be 4 \(expected \[batch, 4\]\), got dims \[1, 3\]$/,
    ],
    [
      'a data length mismatch',
      demoFeeds({ dims: [2, 4] }),
      /input "features": dims \[2, 4\] hold 8 values, but data has 4$/,
    ],
    ['bad dims', demoFeeds({ dims: [1, -4] }), /input "features": "dims" must be an array of whole numbers/],
    [
      'a value that is not a number',
      demoFeeds({ data: [0, 1, 'two', 3] }),
      /input "features": data\[2\] = "two" is not a float32 number$/,
    ],
    [
      'a tensor that is not an object',
      { features: [0, 1, 2, 3] },
      /input "features": expected \{"type", "dims", "data"\}/,
    ],
  ];
  for (const [what, feeds, message] of bad) {
    test(`bad feeds, ${what}: one line on stderr, exit 2`, async () => {
      const r = await tinylcm(
        'infer',
        '--model',
        'demo.onnx',
        '--input',
        await feedsFile(`${what.replace(/\W+/g, '-')}.json`, feeds),
      );
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^tinylcm infer: [^\n]+\n$/);
      assert.match(r.stderr.trimEnd(), message);
    });
  }

  const intFeeds = (type: string, value: unknown) => ({
    state: { type: 'float32', dims: [1, 4], data: [0, 0, 0, 0] },
    x: { type: 'float32', dims: [1, 4], data: [0, 0, 0, 0] },
    counter: { type, dims: [], data: [value] },
  });
  const badInts: [string, unknown, RegExp][] = [
    ['a fractional int64', intFeeds('int64', 1.5), /input "counter": data\[0\] = 1\.5 is not an int64/],
    [
      'an int64 beyond 2^63',
      intFeeds('int64', '9223372036854775808'),
      /data\[0\] = "9223372036854775808" is not an int64/,
    ],
    [
      'an unsafe int64 number',
      intFeeds('int64', 2 ** 60),
      /is not an int64 \(a whole number, or a decimal string beyond 2\^53\)/,
    ],
    ['an int32 for an int64 input', intFeeds('int32', 1), /input "counter": expected type int64, got "int32"$/],
  ];
  for (const [what, feeds, message] of badInts) {
    test(`bad feeds for the int64 input, ${what}: exit 2`, async () => {
      const r = await tinylcm(
        'infer',
        '--model',
        'stateful.onnx',
        '--input',
        await feedsFile(`${what.replace(/\W+/g, '-')}.json`, feeds),
      );
      assert.deepEqual([r.code, r.stdout], [2, '']);
      assert.match(r.stderr, /^tinylcm infer: [^\n]+\n$/);
      assert.match(r.stderr.trimEnd(), message);
    });
  }

  test('bad files and options: one line, exit 2', async () => {
    const feeds = await feedsFile('ok.json', demoFeeds());
    const cases: [string[], RegExp][] = [
      [['--model', 'demo.onnx', '--input', 'missing.json'], /^tinylcm infer: cannot read feeds missing\.json: ENOENT$/],
      [['--model', 'missing.onnx', '--input', feeds], /^tinylcm infer: cannot read model missing\.onnx: ENOENT$/],
      [['--model', 'not-onnx.onnx', '--input', feeds], /^tinylcm infer: not-onnx\.onnx: not a valid ONNX model: /],
      [['--input', feeds], /^tinylcm infer: --model FILE\.onnx is required$/],
      [['--model', 'demo.onnx'], /^tinylcm infer: --input FEEDS\.json is required$/],
      [['--model', 'demo.onnx', '--input', feeds, '--fast'], /^tinylcm infer: Unknown option '--fast'/],
    ];
    await Promise.all(
      cases.map(async ([args, message]) => {
        const r = await tinylcm('infer', ...args);
        assert.deepEqual([r.code, r.stdout], [2, ''], args.join(' '));
        assert.match(r.stderr, /^[^\n]+\n$/);
        assert.match(r.stderr.trimEnd(), message);
      }),
    );
  });

  test('help and unknown commands', async () => {
    const help = await tinylcmProcess('infer', '--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /usage: tinylcm infer --model FILE\.onnx --input FEEDS\.json \[--json\]/);
    const unknown = await tinylcm('frobnicate');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^tinylcm: unknown command "frobnicate"/);
  });
});
