// `tinysphere drift-report` through the CLI host (one call as a real process, bin/tinysphere.js), on
// CSV files in a temp dir.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DriftReportSchema } from '../../../shared/drift/report/index.ts';
import { type CliHost, startCliHost } from '../../../testing/cli-host.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PREFIX = 'tinysphere drift-report: ';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A real `tinysphere drift-report` process: used once, to show the CLI also exits by itself. */
function runProcess(args: string[]): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/tinysphere.js', 'drift-report', ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let host: CliHost;
/** Every other call goes through one CLI host process (a process per call cost a second or more each). */
const runCli = (args: string[]): Promise<Result> => host.run(['drift-report', ...args]);

let dir = '';
const file = (name: string) => path.join(dir, name);

/** Deterministic rows: x shifted by 3 in current, y identical, colour gains a category. */
function csv(n: number, shift: number, colours: string[]): string {
  const lines = ['x,y,colour'];
  for (let i = 0; i < n; i++)
    lines.push(`${((i * 7919) % n) / n + shift},${(i % 10) / 10},${colours[i % colours.length]}`);
  return `${lines.join('\r\n')}\r\n`;
}

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'drift-report-cli-'));
  await writeFile(file('ref.csv'), csv(200, 0, ['red', 'green', 'blue']));
  await writeFile(file('cur.csv'), csv(150, 3, ['red', 'green', 'blue', 'magenta']));
  await writeFile(file('cur-extra.csv'), 'x,y,colour,new\n1,0.1,red,9\n2,0.2,blue,9\n');
  await writeFile(file('empty.csv'), '');
  await writeFile(file('header-only.csv'), 'x,y,colour\n');
  await writeFile(file('ragged.csv'), 'x,y,colour\n1,2,red\n3,4\n');
  await writeFile(file('no-values.csv'), 'x,y,colour\n1,,red\n2,,blue\n');
  await writeFile(file('missing-col.csv'), 'x,colour\n1,red\n');
  await writeFile(file('binary.csv'), Buffer.from([0x78, 0x0a, 0xff, 0xfe, 0x00, 0x0a]));
  await mkdir(file('a-directory.csv'));
  host = await startCliHost('tinysphere');
});

after(async () => {
  await host.close();
  await rm(dir, { recursive: true, force: true });
});

describe('tinysphere drift-report', () => {
  it('--json prints exactly one object of the documented shape, without NaN', async () => {
    const r = await runProcess(['--reference', file('ref.csv'), '--current', file('cur.csv'), '--json']);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trimEnd().split('\n').length, 1);
    assert.ok(!/NaN|null|Infinity/.test(r.stdout));
    const report = DriftReportSchema.parse(JSON.parse(r.stdout));
    const { x, y, colour } = report.columns;
    assert.ok(x?.kind === 'numeric' && y?.kind === 'numeric' && colour?.kind === 'categorical');
    assert.equal(x.drift, true);
    assert.ok(x.ks.pValue < 1e-10 && x.ks.statistic === 1);
    assert.equal(y.drift, false);
    assert.equal(y.ks.pValue, 1);
    assert.deepEqual(colour.unseen, ['magenta']);
    assert.ok(colour.chiSquare.dof === 3 && colour.chiSquare.pValue < 0.05);
    for (const c of [x, y])
      assert.ok(typeof c.wasserstein === 'number' && typeof c.jensenShannon === 'number' && typeof c.psi === 'number');
    assert.equal(report.drift, true);
  });

  it('prints a table without --json and notes columns only in current', async () => {
    const r = await runCli(['--reference', file('ref.csv'), '--current', file('cur-extra.csv')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Dataset drift: /);
    assert.match(r.stdout, /\ncolour +categorical +200 +2 +chi-square p-value/);
    assert.match(r.stdout, /not compared: new/);
  });

  it('--html writes a self-contained report', async () => {
    const out = file('report.html');
    const r = await runCli(['--reference', file('ref.csv'), '--current', file('cur.csv'), '--html', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    JSON.parse(r.stdout);
    const html = await readFile(out, 'utf8');
    assert.ok(html.startsWith('<!doctype html>'));
    assert.equal((html.match(/<svg /g) ?? []).length, 3);
    assert.ok(!/https?:\/\//.test(html));
  });

  const bad: [string, () => string[], RegExp][] = [
    [
      'a missing file',
      () => ['--reference', file('nope.csv'), '--current', file('cur.csv')],
      /cannot read .*nope\.csv: no such file/,
    ],
    [
      'a directory',
      () => ['--reference', file('ref.csv'), '--current', file('a-directory.csv')],
      /cannot read .*a-directory\.csv: is a directory/,
    ],
    [
      'a file that is not UTF-8 text',
      () => ['--reference', file('binary.csv'), '--current', file('cur.csv')],
      /binary\.csv: not UTF-8 text/,
    ],
    [
      'an empty file',
      () => ['--reference', file('empty.csv'), '--current', file('cur.csv')],
      /empty\.csv: the file is empty/,
    ],
    [
      'a header without rows',
      () => ['--reference', file('ref.csv'), '--current', file('header-only.csv')],
      /header-only\.csv: no data rows/,
    ],
    [
      'a ragged row',
      () => ['--reference', file('ragged.csv'), '--current', file('cur.csv')],
      /ragged\.csv: line 3: expected 3 fields \(as in the header\), got 2/,
    ],
    [
      'a column with no values',
      () => ['--reference', file('ref.csv'), '--current', file('no-values.csv')],
      /no-values\.csv: column "y" has no values/,
    ],
    [
      'a column missing in current',
      () => ['--reference', file('ref.csv'), '--current', file('missing-col.csv')],
      /missing-col\.csv: missing column "y"/,
    ],
    [
      'an unknown option',
      () => ['--reference', file('ref.csv'), '--current', file('cur.csv'), '--fast'],
      /Unknown option '--fast'/,
    ],
    ['a missing required option', () => ['--reference', file('ref.csv')], /missing required option --current$/],
    [
      'a positional argument',
      () => ['--reference', file('ref.csv'), '--current', file('cur.csv'), 'extra'],
      /Unexpected argument 'extra'/,
    ],
    [
      'an HTML path that cannot be written',
      () => ['--reference', file('ref.csv'), '--current', file('cur.csv'), '--html', file('no/such/dir/out.html')],
      /cannot write .*out\.html: no such file/,
    ],
  ];
  for (const [what, args, pattern] of bad) {
    it(`exits 2 with one line on stderr for ${what}`, async () => {
      const r = await runCli(args());
      assert.equal(r.code, 2, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.ok(r.stderr.startsWith(PREFIX), r.stderr);
      assert.ok(
        r.stderr.endsWith('\n') && r.stderr.split('\n').length === 2,
        `not one line: ${JSON.stringify(r.stderr)}`,
      );
      assert.match(r.stderr.trimEnd(), pattern);
      assert.ok(!/\n\s+at /.test(r.stderr));
    });
  }
});
