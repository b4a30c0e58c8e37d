// `tinylcm simulate --model NAME@VERSION --data FILE.csv` as a user runs it, against a real server
// process: a second tabular model (not the demo; feature names with spaces and parentheses) is
// uploaded, the simulator deploys it, and its devices log the CSV's rows, in file order, cycling.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { api, pgliteServer, runToExit, type TestServer } from '../../testing/server-process.ts';
import { csvField } from '../src/lcm/logger/export.ts';
import { stopServer } from '../../testing/suite.ts';
import { buildTabularModel } from '../../testing/tabular-model.ts';

const simulate = (args: string[]) => runToExit(process.execPath, ['bin/tinylcm.js', 'simulate', ...args], {}, 150_000);

const FEATURES = ['Body Mass (g)', 'Flipper Length (mm)', 'Bill Depth (mm)', 'Culmen, Length (mm)'];
const MODEL = 'penguins';
const ROWS = 7;
const RECORDS = 10;

describe('tinylcm simulate --model --data', () => {
  let s: TestServer;
  let dir = '';
  const tabular = buildTabularModel({ features: FEATURES, classLabels: ['Adelie', 'Chinstrap', 'Gentoo'] });
  const sample = tabular.sample(ROWS, 99);

  before(async () => {
    [s, dir] = await Promise.all([pgliteServer(), mkdtemp(path.join(tmpdir(), 'sim-model-'))]);
    const form = new FormData();
    form.append('metadata', JSON.stringify(tabular.metadata));
    form.append('file', new Blob([tabular.onnx as Uint8Array<ArrayBuffer>]), 'penguins.onnx');
    const up = await fetch(`${s.server.url}/api/v1/models/${MODEL}/versions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.adminToken}` },
      body: form,
    });
    assert.equal(up.status, 201, await up.text());
  });
  after(async () => {
    await stopServer(s);
    await rm(dir, { recursive: true, force: true });
  });

  const groups = async () => {
    const body = (await api(`${s.server.url}/api/v1/device-groups`, { token: s.adminToken })).body;
    return (Array.isArray(body) ? body : (body.groups ?? body.items)) as { id: string; name: string }[];
  };

  it('a CSV without one of the model’s columns: exit 2 naming it, and no group is made', async () => {
    const file = path.join(dir, 'short.csv');
    // The last feature's column is missing; an extra label column is not a problem.
    await writeFile(file, tabular.csv(sample, 'species').replace('"Culmen, Length (mm)",', 'other,'));
    const r = await simulate([
      '--server',
      s.server.url,
      '--token',
      s.adminToken,
      '--devices',
      '1',
      '--records',
      '3',
      '--model',
      `${MODEL}@1`,
      '--data',
      file,
    ]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^tinylcm simulate: \S+short\.csv has no column "Culmen, Length \(mm\)"/);
    assert.equal((await groups()).filter((g) => g.name.startsWith('sim-')).length, 0);
  });

  it('2 devices run the uploaded model and log the CSV’s rows, in order, cycling past the end', async () => {
    const file = path.join(dir, 'penguins.csv');
    // Columns in another order than the model's, with the label column between them: matched by name.
    const order = [3, 1, 'species', 0, 2] as const;
    const lines = [order.map((c) => csvField(c === 'species' ? c : FEATURES[c])).join(',')];
    sample.rows.forEach((row, i) =>
      lines.push(order.map((c) => (c === 'species' ? sample.labels[i] : row[c])).join(',')),
    );
    await writeFile(file, lines.join('\r\n'));
    const r = await simulate([
      '--server',
      s.server.url,
      '--token',
      s.adminToken,
      '--devices',
      '2',
      '--records',
      String(RECORDS),
      '--model',
      `${MODEL}@1`,
      '--data',
      file,
      '--timeout',
      '100',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).recordsAcknowledged, 2 * RECORDS);

    const group = (await groups()).find((g) => g.name.startsWith('sim-'));
    assert.ok(group, 'the simulator made its group');
    const { deployments } = (
      await api(`${s.server.url}/api/v1/deployments?groupId=${group.id}`, { token: s.adminToken })
    ).body;
    assert.deepEqual(
      deployments.map((d: { model: { name: string; version: number } }) => [d.model.name, d.model.version]),
      [[MODEL, 1]],
      'the simulator deployed the model it was given',
    );

    // Every device logged RECORDS records: the file's rows in order, then from the top again (as float32).
    const expected = Array.from({ length: RECORDS }, (_, i) => sample.rows[i % ROWS]!.map(Math.fround));
    const devices = (await api(`${s.server.url}/api/v1/devices?groupId=${group.id}`, { token: s.adminToken })).body;
    const list = (Array.isArray(devices) ? devices : (devices.devices ?? devices.items)) as { id: string }[];
    assert.equal(list.length, 2);
    for (const d of list) {
      const got = (
        await api(`${s.server.url}/api/v1/fleet/record-sample?modelVersion=${MODEL}@1&deviceId=${d.id}`, {
          token: s.adminToken,
        })
      ).body;
      assert.deepEqual(got.featureNames, FEATURES);
      assert.equal(got.total, RECORDS);
      assert.deepEqual(
        sortRows(got.features.map((row: number[]) => row.map(Math.fround))),
        sortRows(expected),
        `device ${d.id} logged the CSV's rows`,
      );
    }
  });
});

/** The sample comes in its own order; compare as multisets. */
const sortRows = (rows: number[][]) => rows.map((r) => r.join(',')).sort();
