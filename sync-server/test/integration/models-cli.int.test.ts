import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sampleModel } from '../../../shared/onnx/test-fixtures.ts';
import { startCliHost, type CliHost } from '../../../testing/cli-host.ts';
import { runToExit, startServerProcess, tempDataDir, type ServerProcess } from '../../../testing/server-process.ts';

const TRAIN = `${[
  '"Body Mass (g)",flipper,bill,kind',
  ...Array.from({ length: 40 }, (_, i) => `${3000 + i * 10},${180 + (i % 9)},${i % 5},${i % 2 ? 'a' : 'b'}`),
].join('\n')}\n`;

describe('tinysphere models (CLI against a running server)', () => {
  let server: ServerProcess;
  let data: Awaited<ReturnType<typeof tempDataDir>>;
  let dir: string;
  const token = 'models-cli-admin-token-0123456789';
  let host: CliHost;
  const cli = (args: string[], env: Record<string, string> = {}) =>
    host.run(['models', ...args], { TINYSPHERE_URL: server.url, TINYSPHERE_TOKEN: token, ...env });

  before(async () => {
    data = await tempDataDir();
    dir = await mkdtemp(path.join(os.tmpdir(), 'models-cli-'));
    await writeFile(path.join(dir, 'm.onnx'), sampleModel());
    await writeFile(
      path.join(dir, 'meta.json'),
      JSON.stringify({ classLabels: ['no', 'yes'], description: 'from the CLI' }),
    );
    await writeFile(path.join(dir, 'junk.onnx'), 'not a model');
    await writeFile(
      path.join(dir, 'features.json'),
      JSON.stringify({ features: ['Body Mass (g)', 'flipper', 'bill'] }),
    );
    await writeFile(path.join(dir, 'train.csv'), TRAIN);
    await writeFile(path.join(dir, 'bad.csv'), 'Body Mass (g),flipper,bill,kind\n1,2,3,a\n4,oops,6,b\n');
    server = await startServerProcess({ DATA_DIR: data.dir, ADMIN_TOKEN: token, DEMO: '0' });
    host = await startCliHost('tinysphere');
  });
  after(async () => {
    await host.close();
    await server.stop();
    await data.remove();
    await rm(dir, { recursive: true, force: true });
  });

  it('push, list, show and alias work and print JSON with --json', async () => {
    const push = await cli([
      'push',
      'churn',
      path.join(dir, 'm.onnx'),
      '--metadata',
      path.join(dir, 'meta.json'),
      '--json',
    ]);
    assert.equal(push.code, 0, push.stderr);
    const pushed = JSON.parse(push.stdout);
    assert.deepEqual([pushed.name, pushed.version, pushed.inputs[0].shape], ['churn', 1, ['batch', 3]]);
    const human = await cli(['push', 'churn', path.join(dir, 'm.onnx')]);
    assert.match(human.stdout, /^churn version 2 {2}sha256 [0-9a-f]{64}/);
    assert.equal((await cli(['alias', 'churn', 'champion', '2'])).code, 0);
    const list = JSON.parse((await cli(['list', '--json'])).stdout);
    assert.deepEqual(
      list.map((m: any) => [m.name, m.latestVersion, m.aliases]),
      [['churn', 2, { champion: 2 }]],
    );
    const show = JSON.parse((await cli(['show', 'churn', '--json'])).stdout);
    assert.deepEqual(
      show.versions.map((v: any) => [v.version, v.aliases]),
      [
        [2, ['champion']],
        [1, []],
      ],
    );
    assert.equal(show.versions[1].description, 'from the CLI');
  });

  for (const [title, args, env, code, pattern] of [
    ['a missing argument is a usage error', ['push', 'x'], {}, 2, /push needs NAME and FILE/],
    ['an unknown subcommand is a usage error', ['frobnicate'], {}, 2, /unknown subcommand/],
    ['a missing local file is a usage error', ['push', 'x', '/nonexistent.onnx'], {}, 2, /cannot read/],
    ['an invalid model is an API error', ['push', 'x', '@/junk.onnx'], {}, 1, /not a valid ONNX model.*HTTP 400/],
    ['a wrong token is unauthorized', ['list'], { TINYSPHERE_TOKEN: 'tsk_nope' }, 4, /HTTP 401/],
    ['an unknown model is not found', ['show', 'nope'], {}, 5, /HTTP 404/],
    ['an unreachable server', ['list'], { TINYSPHERE_URL: 'http://127.0.0.1:1' }, 3, /cannot be reached|cannot reach/],
  ] as const) {
    it(`${title} (exit ${code})`, async () => {
      const r = await cli(
        args.map((a) => a.replace('@', dir)),
        env as Record<string, string>,
      );
      assert.equal(r.code, code, r.stderr);
      assert.match(r.stderr, pattern);
    });
  }

  it("push --reference builds the profile on the server; models reference replaces it; a bad CSV is the server's 400 (exit 1)", async () => {
    const at = (f: string) => path.join(dir, f);
    const push = await cli([
      'push',
      'penguins',
      at('m.onnx'),
      '--metadata',
      at('features.json'),
      '--reference',
      at('train.csv'),
      '--label-column',
      'kind',
      '--json',
    ]);
    assert.equal(push.code, 0, push.stderr);
    const show = JSON.parse((await cli(['show', 'penguins', '--json'])).stdout);
    const profile = show.versions[0].metadata.referenceProfile;
    assert.deepEqual(
      [profile.rows, profile.features.map((f: any) => f.name), profile.classes.labels],
      [40, ['Body Mass (g)', 'flipper', 'bill'], ['a', 'b']],
    );
    const again = await cli(['reference', 'penguins', '1', at('train.csv'), '--label-column', 'kind']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /penguins version 1: reference profile of 40 rows, 3 features/);
    const bad = await cli([
      'push',
      'penguins',
      at('m.onnx'),
      '--metadata',
      at('features.json'),
      '--reference',
      at('bad.csv'),
    ]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /column "flipper", row 2 \(line 3\): "oops" is not a number \(HTTP 400/);
    const noCsv = await cli(['push', 'penguins', at('m.onnx'), '--label-column', 'kind']);
    assert.equal(noCsv.code, 2);
    assert.match(noCsv.stderr, /--label-column names a column of the --reference CSV/);
    assert.equal(
      JSON.parse((await cli(['show', 'penguins', '--json'])).stdout).versions.length,
      1,
      'refused pushes stored no version',
    );
  });

  it('profile build writes offline what the server would build; wrong input exits 2 naming the problem', async () => {
    const profileCli = (args: string[]) => host.run(['profile', ...args]);
    const out = path.join(dir, 'profile.json');
    // One call as a real process: the CLI must also exit by itself.
    const ok = await runToExit(
      process.execPath,
      [
        'bin/tinysphere.js',
        'profile',
        'build',
        path.join(dir, 'train.csv'),
        '--features',
        'Body Mass (g), flipper,bill',
        '--label-column',
        'kind',
        '--out',
        out,
      ],
      {},
    );
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /40 rows, 3 features, 2 classes/);
    const server = JSON.parse((await cli(['show', 'penguins', '--json'])).stdout).versions[0].metadata.referenceProfile;
    assert.deepEqual(JSON.parse(await readFile(out, 'utf8')), server);
    const fromMeta = await profileCli([
      'build',
      path.join(dir, 'train.csv'),
      '--metadata',
      path.join(dir, 'features.json'),
    ]);
    assert.equal(JSON.parse(fromMeta.stdout).features.length, 3);
    for (const [args, pattern] of [
      [['build', path.join(dir, 'train.csv')], /name the features/],
      [['build', path.join(dir, 'nope.csv'), '--features', 'a'], /cannot read .*nope.csv/],
      [['build', path.join(dir, 'train.csv'), '--features', 'Body Mass (g),wings'], /no column "wings"/],
      [['build', path.join(dir, 'bad.csv'), '--features', 'flipper'], /bad.csv: column "flipper", row 2 \(line 3\)/],
      [['frobnicate'], /unknown subcommand/],
    ] as const) {
      const r = await profileCli([...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
    }
  });
});
