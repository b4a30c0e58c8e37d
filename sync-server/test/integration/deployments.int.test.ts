import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe } from 'node:test';
import { deviceDocId, report, type DeviceDoc } from '../../../shared/documents/index.ts';
import { bigInitializerModel, sampleModel } from '../../../shared/onnx/test-fixtures.ts';
import { DocSync } from '../../../shared/sync/documents.ts';
import { api, pgliteServer, runToExit } from '../../../testing/server-process.ts';
import { backendSuite, stopServer } from '../../../testing/suite.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const V1 = sampleModel();
const V2 = bigInitializerModel(4096);

interface Device {
  deviceId: string;
  token: string;
  doc: DocSync<DeviceDoc>;
}

/** Deployments over real HTTP: fan-out into device documents, canary, promote, rollback, gates, audit, access. */
describe('deployments: PGlite', () => {
  const suite = backendSuite('PGlite', () => pgliteServer(), stopServer);
  const test = suite.test;
  let url = '';
  let v1 = '';
  let operator = '';
  let viewer = '';
  let groupId = '';
  let code = '';
  const devices: Device[] = [];

  const upload = async (bytes: Uint8Array) => {
    const form = new FormData();
    form.append('file', new Blob([bytes as Uint8Array<ArrayBuffer>]), 'model.onnx');
    const res = await fetch(`${v1}/models/clf/versions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${suite.ctx!.adminToken}` },
      body: form,
    });
    assert.equal(res.status, 201, await res.text());
  };
  const enrol = async (name: string): Promise<Device> => {
    const res = await api(`${v1}/devices/enrol`, { body: { code, name } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const doc = await DocSync.open<DeviceDoc>({ url, token: res.body.token, docId: deviceDocId(res.body.deviceId) });
    return { ...res.body, doc };
  };
  const desiredVersions = async () => {
    const out: Record<string, string | undefined> = {};
    for (const d of devices) {
      await d.doc.sync();
      out[d.deviceId] = d.doc.value.desired.model?.version;
    }
    return out;
  };
  const deploy = async (body: object, token = operator) =>
    api(`${v1}/deployments`, { token, body: { groupId, ...body } });

  before(async () => {
    const ctx = suite.ctx;
    if (!ctx) return;
    url = ctx.server.url;
    v1 = `${url}/api/v1`;
    operator = (await api(`${v1}/tokens`, { token: ctx.adminToken, body: { name: 'olga', role: 'operator' } })).body
      .token;
    viewer = (await api(`${v1}/tokens`, { token: ctx.adminToken, body: { name: 'vic', role: 'viewer' } })).body.token;
    await upload(V1);
    await upload(V2);
    groupId = (await api(`${v1}/device-groups`, { token: operator, body: { name: 'kiosks' } })).body.id;
    code = (
      await api(`${v1}/device-groups/${groupId}/enrolment-codes`, {
        token: operator,
        body: { uses: 10, expiresInSeconds: 600 },
      })
    ).body.code;
    for (let i = 0; i < 4; i++) devices.push(await enrol(`kiosk-${i}`));
  });

  test('deploying to every device writes the version into each document, and only operators may deploy', async () => {
    assert.equal((await deploy({ model: { name: 'clf', version: 1 } }, viewer)).status, 403);
    assert.equal((await deploy({ model: { name: 'clf', version: 9 } })).status, 404);
    assert.equal((await deploy({ model: { name: 'clf', version: 1, alias: 'x' } })).status, 400);
    const res = await deploy({ model: { name: 'clf', version: 1 }, reason: 'first rollout' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.status, 'active');
    assert.equal(res.body.strategy, 'all');
    assert.deepEqual(res.body.model, { name: 'clf', version: 1, sha256: sha(V1) });
    assert.equal(res.body.previous, null);
    assert.deepEqual(Object.values(await desiredVersions()), ['1', '1', '1', '1']);
    assert.equal(devices[0]!.doc.value.desired.deploymentId, res.body.id);
    assert.equal(devices[0]!.doc.value.desired.model?.sha256, sha(V1));
  });

  test('a device fetches its deployed model (Range resumes) and nothing else', async () => {
    const d = devices[0]!;
    const full = await fetch(`${v1}/devices/me/models/${sha(V1)}`, { headers: { authorization: `Bearer ${d.token}` } });
    assert.equal(full.status, 200);
    assert.equal(sha(new Uint8Array(await full.arrayBuffer())), sha(V1));
    const part = await fetch(`${v1}/devices/me/models/${sha(V1)}`, {
      headers: { authorization: `Bearer ${d.token}`, range: 'bytes=10-' },
    });
    assert.equal(part.status, 206);
    assert.deepEqual(new Uint8Array(await part.arrayBuffer()), V1.subarray(10));
    const meta = await api(`${v1}/devices/me/models/${sha(V1)}/version`, { token: d.token });
    assert.equal(meta.status, 200);
    assert.equal(meta.body.version, 1);
    assert.equal(meta.body.sha256, sha(V1));
    assert.equal(meta.body.inputs[0].name, 'features');
    const other = await api(`${v1}/devices/me/models/${sha(V2)}`, { token: d.token });
    assert.equal(other.status, 403);
    assert.equal(other.body.error.code, 'forbidden');
    assert.equal(
      (await api(`${v1}/devices/me/models/${sha(V1)}`, { token: operator })).status,
      403,
      'a person uses the registry route',
    );
  });

  test('a damaged stored model is never sent to a device (409 naming it, before any byte); uploading the file again repairs it', async () => {
    const d = devices[0]!;
    const file = path.join(suite.ctx!.dataDir, 'blobs', 'models', 'sha256', sha(V1));
    const damaged = Buffer.from(V1);
    damaged[damaged.length - 1]! ^= 0xff;
    await writeFile(file, damaged);
    for (const range of [undefined, 'bytes=10-']) {
      const res = await fetch(`${v1}/devices/me/models/${sha(V1)}`, {
        headers: { authorization: `Bearer ${d.token}`, ...(range ? { range } : {}) },
      });
      assert.equal(res.status, 409, range);
      assert.match(((await res.json()) as any).error.message, /damaged/);
      assert.equal(res.headers.get('etag'), null, 'a refusal is not cached as the immutable bytes');
      assert.doesNotMatch(res.headers.get('cache-control') ?? '', /immutable/);
    }
    await upload(V1); // clf@3: the same bytes put the intact copy back
    const full = await fetch(`${v1}/devices/me/models/${sha(V1)}`, { headers: { authorization: `Bearer ${d.token}` } });
    assert.equal(full.status, 200);
    assert.equal(sha(new Uint8Array(await full.arrayBuffer())), sha(V1));
  });

  test('a canary moves a stable hash-chosen share; promote moves the rest; the audit trail says who and why', async () => {
    const res = await deploy({ model: { name: 'clf', version: 2 }, canaryPercent: 50 });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const dep = res.body;
    assert.equal(dep.status, 'canary');
    assert.equal(dep.canaryDevices.length, 2);
    assert.deepEqual(dep.previous, { name: 'clf', version: 1, sha256: sha(V1) });
    const desired = await desiredVersions();
    for (const d of devices) assert.equal(desired[d.deviceId], dep.canaryDevices.includes(d.deviceId) ? '2' : '1');
    const outside = devices.find((d) => !dep.canaryDevices.includes(d.deviceId))!;
    assert.equal(
      (await api(`${v1}/devices/me/models/${sha(V2)}`, { token: outside.token })).status,
      403,
      'outside the canary, v2 is not deployed to it',
    );

    const detail = await api(`${v1}/deployments/${dep.id}`, { token: viewer });
    assert.deepEqual(detail.body.progress.desired, { 'clf@2': 2, 'clf@1': 2 });
    assert.deepEqual(detail.body.progress.reported, { unknown: 4 });

    const promoted = await api(`${v1}/deployments/${dep.id}/promote`, {
      token: operator,
      body: { reason: 'canary healthy' },
    });
    assert.equal(promoted.status, 200, JSON.stringify(promoted.body));
    assert.equal(promoted.body.status, 'active');
    assert.deepEqual(Object.values(await desiredVersions()), ['2', '2', '2', '2']);
    const again = await api(`${v1}/deployments/${dep.id}/promote`, { token: operator, body: {} });
    assert.equal(again.status, 409);
    assert.match(again.body.error.message, /is active/);

    const events = (await api(`${v1}/deployments/${dep.id}/events`, { token: viewer })).body.events;
    assert.deepEqual(
      events.map((e: { action: string }) => e.action),
      ['created', 'promoted'],
    );
    assert.equal(events[1].actor, 'olga');
    assert.equal(events[1].reason, 'canary healthy');
    const list = (await api(`${v1}/deployments?groupId=${groupId}`, { token: viewer })).body.deployments;
    assert.deepEqual(
      list.map((d: { status: string }) => d.status),
      ['active', 'superseded'],
    );
  });

  test('versions a group runs or would roll back to cannot be deleted', async () => {
    for (const v of [1, 2]) {
      const res = await api(`${v1}/models/clf/versions/${v}`, { token: suite.ctx!.adminToken, method: 'DELETE' });
      assert.equal(res.status, 409, JSON.stringify(res.body));
      assert.match(res.body.error.message, new RegExp(`version ${v} of model "clf" is deployed`));
    }
    assert.equal((await api(`${v1}/models/clf`, { token: suite.ctx!.adminToken, method: 'DELETE' })).status, 409);
  });

  test('rollback returns every device to the previous version', async () => {
    const [current] = (await api(`${v1}/deployments?groupId=${groupId}&status=active`, { token: viewer })).body
      .deployments;
    const res = await api(`${v1}/deployments/${current.id}/rollback`, {
      token: operator,
      body: { reason: 'bad numbers' },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.status, 'rolled_back');
    assert.deepEqual(Object.values(await desiredVersions()), ['1', '1', '1', '1']);
  });

  test('a device enrolled later gets the desired model on its first sync', async () => {
    const late = await enrol('kiosk-late');
    await late.doc.sync();
    assert.equal(late.doc.value.desired.model?.version, '1');
    devices.push(late);
  });

  test('a canary needs a device: refused with 409 in an empty group, where a whole-group deployment reaches devices enrolled later', async () => {
    const empty = (await api(`${v1}/device-groups`, { token: operator, body: { name: 'new-site' } })).body.id;
    const refused = await api(`${v1}/deployments`, {
      token: operator,
      body: { groupId: empty, model: { name: 'clf', version: 1 }, canaryPercent: 10 },
    });
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, 'conflict');
    assert.match(refused.body.error.message, /group "new-site" has no devices yet: a canary needs at least one device/);
    assert.deepEqual(
      (await api(`${v1}/deployments?groupId=${empty}`, { token: viewer })).body.deployments,
      [],
      'nothing stored',
    );

    const all = await api(`${v1}/deployments`, {
      token: operator,
      body: { groupId: empty, model: { name: 'clf', version: 1 } },
    });
    assert.equal(all.status, 201, JSON.stringify(all.body));
    const siteCode = (
      await api(`${v1}/device-groups/${empty}/enrolment-codes`, {
        token: operator,
        body: { uses: 1, expiresInSeconds: 600 },
      })
    ).body.code;
    const enrolled = await api(`${v1}/devices/enrol`, { body: { code: siteCode, name: 'site-1' } });
    const doc = await DocSync.open<DeviceDoc>({
      url,
      token: enrolled.body.token,
      docId: deviceDocId(enrolled.body.deviceId),
    });
    await doc.sync();
    assert.equal(doc.value.desired.model?.version, '1', 'the later device follows the whole-group deployment');
    // With a device in it, the same group takes a canary.
    const canary = await api(`${v1}/deployments`, {
      token: operator,
      body: { groupId: empty, model: { name: 'clf', version: 2 }, canaryPercent: 10 },
    });
    assert.equal(canary.status, 201, JSON.stringify(canary.body));
    assert.deepEqual(canary.body.canaryDevices, [enrolled.body.deviceId]);
  });

  test('a canary device reporting p95 above the gate rolls the canary back by itself', async () => {
    const res = await deploy({
      model: { name: 'clf', version: 2 },
      canaryPercent: 20,
      gates: { maxP95Ms: 50, minInferences: 10 },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const dep = res.body;
    assert.deepEqual(dep.gates, { maxP95Ms: 50, minInferences: 10, onTrip: 'rollback' });
    const canary = devices.find((d) => d.deviceId === dep.canaryDevices[0])!;
    await canary.doc.sync();
    const model = canary.doc.value.desired.model!;
    assert.equal(model.version, '2');
    // Healthy numbers first: nothing happens.
    await canary.doc.edit((doc) =>
      report(doc, { model, metrics: { model, inferences: 100, errors: 0, p95Ms: 12, driftAlarms: 0 } }),
    );
    await canary.doc.sync();
    assert.equal((await api(`${v1}/deployments/${dep.id}`, { token: viewer })).body.status, 'canary');
    await canary.doc.edit((doc) =>
      report(doc, { model, metrics: { model, inferences: 200, errors: 0, p95Ms: 120, driftAlarms: 0 } }),
    );
    await canary.doc.sync();
    const after = (await api(`${v1}/deployments/${dep.id}`, { token: viewer })).body;
    assert.equal(after.status, 'rolled_back');
    assert.deepEqual(after.progress.reported, { 'clf@2': 1, unknown: 4 });
    const events = (await api(`${v1}/deployments/${dep.id}/events`, { token: viewer })).body.events;
    const trip = events.at(-1);
    assert.equal(trip.action, 'gate_tripped');
    assert.equal(trip.actor, 'gate');
    assert.match(trip.reason, /p95 latency 120\.0 ms > 50 ms/);
    assert.equal(trip.details.outcome, 'rolled_back');
    await canary.doc.sync();
    assert.equal(canary.doc.value.desired.model?.version, '1', 'the canary device is told to go back');
  });

  test('deploying by alias resolves the alias once', async () => {
    assert.equal(
      (
        await api(`${v1}/models/clf/aliases/champion`, {
          token: suite.ctx!.adminToken,
          method: 'PUT',
          body: { version: 2 },
        })
      ).status,
      200,
    );
    const res = await deploy({ model: { name: 'clf', alias: 'champion' } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.model.version, 2);
    assert.equal(res.body.alias, 'champion');
  });

  test('progress follows a reported version even when its bytes equal the previous one', async () => {
    await upload(V1); // clf@3: the same bytes (and sha256) as clf@1
    const dep = (await deploy({ model: { name: 'clf', version: 3 } })).body;
    const d = devices[0]!;
    const sha1 = sha(V1);
    for (const version of ['1', '3']) {
      await d.doc.edit((doc) => report(doc, { model: { name: 'clf', version, sha256: sha1 } }));
      await d.doc.sync();
      const reported = (await api(`${v1}/deployments/${dep.id}`, { token: viewer })).body.progress.reported;
      assert.equal(reported[`clf@${version}`], 1, JSON.stringify(reported));
    }
  });

  test('the CLI deploys by group name and alias, shows progress and audit, and refuses bad input with exit 2', async () => {
    const cli = (args: string[]) =>
      runToExit(process.execPath, ['bin/tinysphere.js', 'deploy', ...args], {
        TINYSPHERE_URL: url,
        TINYSPHERE_TOKEN: operator,
      });
    const created = await cli([
      'create',
      'kiosks',
      'clf:champion',
      '--canary',
      '25',
      '--max-p95-ms',
      '80',
      '--reason',
      'from the CLI',
      '--json',
    ]);
    assert.equal(created.code, 0, created.stderr);
    const dep = JSON.parse(created.stdout);
    assert.deepEqual([dep.status, dep.model.version, dep.canaryPercent, dep.gates.maxP95Ms], ['canary', 2, 25, 80]);
    const shown = await cli(['show', dep.id]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /created {6}by olga — from the CLI/);
    assert.match(shown.stdout, /devices 5; desired/);
    const promoted = await cli(['promote', dep.id, '--reason', 'looks fine']);
    assert.equal(promoted.code, 0, promoted.stderr);
    assert.match(promoted.stdout, /active/);
    const twice = await cli(['promote', dep.id]);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /HTTP 409/);
    const bad = await cli(['create', 'kiosks', 'clf', '--canary', '10']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /MODEL must be NAME@VERSION/);
    assert.equal((await cli(['create', 'nope', 'clf@1'])).code, 2);
    const list = await cli(['list', '--group', 'kiosks', '--json']);
    assert.equal(JSON.parse(list.stdout)[0].id, dep.id);
  });
});
