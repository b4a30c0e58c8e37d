import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sampleModel } from '../../../shared/onnx/test-fixtures.ts';
import { runToExit, startServerProcess, tempDataDir, type ServerProcess } from '../../../testing/server-process.ts';

describe('tinysphere models (CLI against a running server)', () => {
  let server: ServerProcess;
  let data: Awaited<ReturnType<typeof tempDataDir>>;
  let dir: string;
  const token = 'models-cli-admin-token-0123456789';
  const cli = (args: string[], env: Record<string, string> = {}) =>
    runToExit(process.execPath, ['bin/tinysphere.js', 'models', ...args], { TINYSPHERE_URL: server.url, TINYSPHERE_TOKEN: token, ...env });

  before(async () => {
    data = await tempDataDir();
    dir = await mkdtemp(path.join(os.tmpdir(), 'models-cli-'));
    await writeFile(path.join(dir, 'm.onnx'), sampleModel());
    await writeFile(path.join(dir, 'meta.json'), JSON.stringify({ classLabels: ['no', 'yes'], description: 'from the CLI' }));
    await writeFile(path.join(dir, 'junk.onnx'), 'not a model');
    server = await startServerProcess({ DATA_DIR: data.dir, ADMIN_TOKEN: token, DEMO: '0' });
  });
  after(async () => {
    await server.stop();
    await data.remove();
    await rm(dir, { recursive: true, force: true });
  });

  it('push, list, show and alias work and print JSON with --json', async () => {
    const push = await cli(['push', 'churn', path.join(dir, 'm.onnx'), '--metadata', path.join(dir, 'meta.json'), '--json']);
    assert.equal(push.code, 0, push.stderr);
    const pushed = JSON.parse(push.stdout);
    assert.deepEqual([pushed.name, pushed.version, pushed.inputs[0].shape], ['churn', 1, ['batch', 3]]);
    const human = await cli(['push', 'churn', path.join(dir, 'm.onnx')]);
    assert.match(human.stdout, /^churn version 2 {2}sha256 [0-9a-f]{64}/);
    assert.equal((await cli(['alias', 'churn', 'champion', '2'])).code, 0);
    const list = JSON.parse((await cli(['list', '--json'])).stdout);
    assert.deepEqual(list.map((m: any) => [m.name, m.latestVersion, m.aliases]), [['churn', 2, { champion: 2 }]]);
    const show = JSON.parse((await cli(['show', 'churn', '--json'])).stdout);
    assert.deepEqual(show.versions.map((v: any) => [v.version, v.aliases]), [[2, ['champion']], [1, []]]);
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
      const r = await cli(args.map((a) => a.replace('@', dir)), env as Record<string, string>);
      assert.equal(r.code, code, r.stderr);
      assert.match(r.stderr, pattern);
    });
  }
});
