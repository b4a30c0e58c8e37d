import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gaussian, Xoshiro128 } from '../../../shared/drift/detectors/index.ts';
import { type CliHost, startCliHost } from '../../../testing/cli-host.ts';
import { runToExit } from '../../../testing/server-process.ts';

/** A real process: used once, to show the CLI also exits by itself. */
const cliProcess = (...args: string[]) =>
  runToExit(process.execPath, ['bin/tinysphere.js', 'drift-stream', ...args], {});
let host: CliHost;
/** Every other call goes through one CLI host process (a process per call cost a second or more each). */
const cli = (...args: string[]) => host.run(['drift-stream', ...args]);

describe('tinysphere drift-stream', () => {
  let dir: string;
  let csv: string;
  const changeAt = 2000;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'drift-stream-'));
    const rng = new Xoshiro128(7);
    const lines = ['time,value'];
    for (let i = 0; i < 4000; i++) lines.push(`${i},${gaussian(rng, i < changeAt ? 0 : 0.5, 0.1)}`);
    csv = path.join(dir, 'stream.csv');
    await writeFile(csv, `${lines.join('\n')}\n`);
    await writeFile(path.join(dir, 'ragged.csv'), 'a,b\n1,2\n3\n');
    await writeFile(path.join(dir, 'text.csv'), 'v\n1\nhello\n');
    host = await startCliHost('tinysphere');
  });
  after(async () => {
    await host.close();
    await rm(dir, { recursive: true, force: true });
  });

  for (const detector of ['adwin', 'page-hinkley', 'kswin']) {
    it(`${detector}: --json reports the documented shape, with the first drift shortly after the change`, async () => {
      const run = detector === 'adwin' ? cliProcess : cli;
      const r = await run('--detector', detector, '--input', csv, '--column', 'value', '--json');
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as {
        detector: string;
        params: Record<string, unknown>;
        n: number;
        drifts: number[];
        warnings: number[];
      };
      assert.deepEqual(Object.keys(out), ['detector', 'params', 'n', 'drifts', 'warnings']);
      assert.equal(out.detector, detector);
      assert.equal(out.n, 4000);
      const first = out.drifts.find((i) => i >= changeAt);
      assert.ok(first !== undefined && first - changeAt < 200, `detected at ${first}`);
      assert.ok(
        out.drifts.filter((i) => i < changeAt).length <= 2,
        `false alarms: ${out.drifts.filter((i) => i < changeAt)}`,
      );
    });
  }

  it('passes --param values to the detector and reports the resolved parameters', async () => {
    const r = await cli(
      '--detector',
      'adwin',
      '--input',
      csv,
      '--column',
      'value',
      '--param',
      'delta=0.5',
      '--param',
      'clock=1',
      '--json',
    );
    const out = JSON.parse(r.stdout) as { params: { delta: number; clock: number; maxBuckets: number } };
    assert.deepEqual([out.params.delta, out.params.clock, out.params.maxBuckets], [0.5, 1, 5]);
  });

  for (const [title, args, pattern] of [
    ['an unknown detector', ['--detector', 'nope', '--input', 'x.csv'], /unknown detector "nope"/],
    [
      'an unknown parameter',
      ['--detector', 'adwin', '--input', 'x.csv', '--param', 'bogus=1'],
      /Unknown parameter "bogus"/,
    ],
    ['a missing --input', ['--detector', 'adwin'], /--input is required/],
    ['a missing file', ['--detector', 'adwin', '--input', '/nonexistent/x.csv'], /cannot read/],
    ['an unknown column', ['--detector', 'adwin', '--input', '@/stream.csv', '--column', 'nope'], /no column "nope"/],
    ['a ragged CSV', ['--detector', 'adwin', '--input', '@/ragged.csv'], /line 3/],
    [
      'a value that is not a number',
      ['--detector', 'adwin', '--input', '@/text.csv'],
      /line 3: column "v" holds "hello"/,
    ],
  ] as const) {
    it(`refuses ${title} with one line and exit code 2`, async () => {
      const r = await cli(...args.map((a) => a.replace('@', dir)));
      assert.equal(r.code, 2);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /^tinysphere drift-stream: /);
      assert.match(r.stderr, pattern);
    });
  }
});
