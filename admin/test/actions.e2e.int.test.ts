import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { report } from '../../shared/documents/index.ts';
import { launchChromium } from '../../testing/chromium.ts';
import { api, pgliteServer, type TestServer } from '../../testing/server-process.ts';
import { go, noErrors, screenshot, signedIn } from './browser.ts';
import { deviceReplica, MODEL, padded, seed, type Seeded } from './fixture.ts';

describe('the console acts on TinySphere: upload, canary, drift events, roles (Chromium)', () => {
  let browser: Browser | undefined;
  let ctx: TestServer;
  let data: Seeded;

  before(async () => {
    browser = await launchChromium();
    if (!browser) return;
    ctx = await pgliteServer({ DEMO: '1' });
    data = await seed(ctx.server.url, ctx.adminToken);
  });
  after(async () => {
    if (!browser) return;
    await browser.close();
    await ctx.server.stop();
    await ctx.teardown();
  });

  const test = (name: string, fn: (b: Browser) => Promise<void>) =>
    it(name, async (t) => {
      if (!browser) return t.skip('Chromium is not available');
      await fn(browser);
    });

  test('a scientist uploads a model version and watches the progress bar', async (b) => {
    const s = await signedIn(b, ctx.server.url, data.tokens.scientist, `#/models/${MODEL}`);
    const { page } = s;
    // Every upload progress event the page's XMLHttpRequest sees.
    await page.evaluate(() => {
      const w = window as unknown as { progress: [number, number][] };
      w.progress = [];
      const send = XMLHttpRequest.prototype.send;
      XMLHttpRequest.prototype.send = function (body) {
        this.upload.addEventListener('progress', (e) => w.progress.push([e.loaded, e.total]));
        return send.call(this, body as XMLHttpRequestBodyInit);
      };
    });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 2 * 1024 * 1024,
    });
    const file = padded(data.onnx, 4 * 1024 * 1024);
    const form = page.locator('model-detail upload-form');
    await form.locator('input[name=file]').setInputFiles({
      name: 'seattle-weather-v3.onnx',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from(file),
    });
    await form.locator('button[type=submit]').click();
    await form.locator('[data-testid=upload-progress]').waitFor();
    await form.locator('[data-testid=upload-done]').waitFor({ timeout: 30_000 });
    assert.match(
      (await form.locator('[data-testid=upload-done]').textContent()) ?? '',
      /Registered seattle-weather version 3/,
    );
    assert.match((await form.locator('[data-testid=upload-percent]').textContent()) ?? '', /^100%/);
    const progress = await page.evaluate(() => (window as unknown as { progress: [number, number][] }).progress);
    assert.ok(progress.length >= 2, `several progress events (${progress.length})`);
    assert.ok(
      progress.some(([sent, total]) => sent < total),
      'progress was reported before the upload finished',
    );
    assert.deepEqual(progress.at(-1), [progress.at(-1)![1], progress.at(-1)![1]]);
    const v3 = await api(`${data.v1}/models/${MODEL}/versions/3`, { token: data.tokens.viewer });
    assert.equal(v3.body.size, file.length);
    await page.locator('model-detail [data-testid=versions] tbody tr').nth(2).waitFor();
    await screenshot(page, 'upload');
    noErrors(s.errors);
    await s.close();
  });

  test('an operator deploys a canary, watches the rollout as devices sync, and promotes it', async (b) => {
    const s = await signedIn(b, ctx.server.url, data.tokens.operator, '#/deployments');
    const { page } = s;
    page.on('dialog', (d) => void d.accept('canary looks healthy'));
    const form = page.locator('deploy-form');
    await form.locator('select[name=target] option[value="2"]').waitFor({ state: 'attached' });
    await form.locator('select[name=target]').selectOption('2');
    await form.locator('input[name=canary]').fill('50');
    await form.locator('input[name=maxDriftAlarms]').fill('5');
    await form.locator('button').click();
    await page.locator('deployment-detail [data-testid=deployment-status]').filter({ hasText: 'canary' }).waitFor();
    const id = decodeURIComponent(await page.evaluate(() => location.hash)).split('/')[2]!;
    const d = (await api(`${data.v1}/deployments/${id}`, { token: data.tokens.viewer })).body;
    assert.equal(d.model.version, 2);
    const canary: string[] = d.canaryDevices;
    assert.ok(canary.length >= 1 && canary.length < 3, `a canary share of the group (${canary.length})`);
    assert.match(
      (await page.locator('deployment-detail [data-testid=rollout]').textContent()) ?? '',
      /0 of 3 devices report running/,
    );
    assert.match(
      (await page.locator('deployment-detail [data-testid=progress]').textContent()) ?? '',
      new RegExp(`${MODEL}@2\\s*${canary.length}\\s*0`),
    );

    // The devices sync: the canary ones are told to run v2, switch and report it.
    for (const dev of data.devices) {
      const replica = await deviceReplica(ctx.server.url, dev);
      const model = replica.value.desired.model!;
      assert.equal(model.version, canary.includes(dev.deviceId) ? '2' : '1');
      await replica.edit((doc) => report(doc, { model, status: 'running' }));
      await replica.sync();
    }
    await page
      .locator('deployment-detail [data-testid=rollout]')
      .filter({ hasText: `${canary.length} of 3 devices report running` })
      .waitFor({ timeout: 10_000 });
    await screenshot(page, 'canary');

    await page.locator('deployment-detail button[data-action=promote]').click();
    await page.locator('deployment-detail [data-testid=deployment-status]').filter({ hasText: 'active' }).waitFor();
    assert.match(
      (await page.locator('deployment-detail [data-testid=audit]').textContent()) ?? '',
      /promoted[\s\S]*olivia-operator[\s\S]*canary looks healthy/,
    );
    await page
      .locator('deployment-detail [data-testid=progress]')
      .filter({ hasText: new RegExp(`${MODEL}@2\\s*3`) })
      .waitFor();
    noErrors(s.errors);
    await s.close();
  });

  test('the deploy form offers no canary for a group without devices, says why, and deploys to the whole group', async (b) => {
    const empty = await api(`${data.v1}/device-groups`, { token: ctx.adminToken, body: { name: 'new-site' } });
    assert.equal(empty.status, 201);
    const s = await signedIn(b, ctx.server.url, data.tokens.operator, '#/deployments');
    const { page } = s;
    const shell = await fetch(`${ctx.server.url}/admin/`);
    assert.match(
      shell.headers.get('content-security-policy') ?? '',
      /frame-ancestors 'none'/,
      'the console runs under its CSP (signedIn fails a test on any violation)',
    );
    const form = page.locator('deploy-form');
    await form.locator('select[name=target] option[value="1"]').waitFor({ state: 'attached' });
    assert.equal(
      await form.locator('input[name=canary]').isDisabled(),
      false,
      'the seeded group has devices: a canary is possible',
    );
    await form.locator('select[name=groupId]').selectOption({ label: 'new-site' });
    await form.locator('[data-testid=canary-hint]').waitFor();
    assert.equal(await form.locator('input[name=canary]').isDisabled(), true);
    assert.match(
      (await form.locator('[data-testid=canary-hint]').textContent()) ?? '',
      /no devices yet, so no canary: a canary needs at least one device/,
    );
    await page.setViewportSize({ width: 1280, height: 800 });
    await screenshot(page, 'deploy-no-devices-kiosk');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'deploy-no-devices-phone');
    await page.setViewportSize({ width: 1360, height: 900 });
    await form.locator('button').click();
    await page.locator('deployment-detail [data-testid=deployment-status]').filter({ hasText: 'active' }).waitFor();
    const [dep] = (await api(`${data.v1}/deployments?groupId=${empty.body.id}`, { token: data.tokens.viewer })).body
      .deployments;
    assert.deepEqual([dep.strategy, dep.canaryPercent, dep.model.version], ['all', 100, 1]);
    noErrors(s.errors);
    await s.close();
  });

  test('acknowledging, marking a false alarm and labelling in the console go through the API and reach the device document', async (b) => {
    const dev = data.devices[0]!;
    const s = await signedIn(b, ctx.server.url, data.tokens.operator, `#/fleet/${dev.deviceId}`);
    const { page } = s;
    const row = (id: string) => page.locator(`device-detail drift-events tr[data-event-id="${id}"]`);
    await row('kiosk-1-ev0').locator('.ack-btn').click();
    await row('kiosk-1-ev0').locator('.ack').filter({ hasText: '✓ olivia-operator' }).waitFor({ timeout: 20_000 });
    await row('kiosk-1-ev0').locator('.status').filter({ hasText: 'acknowledged' }).waitFor();
    await row('kiosk-1-ev1').locator('.false-btn').click();
    await row('kiosk-1-ev1').locator('.status').filter({ hasText: 'false alarm' }).waitFor({ timeout: 20_000 });
    await row('kiosk-1-ev1').locator('input[placeholder=label]').fill('new sensor');
    await row('kiosk-1-ev1').locator('.label-btn').click();
    await row('kiosk-1-ev1').locator('.label').filter({ hasText: 'new sensor' }).waitFor({ timeout: 20_000 });
    // The status filter asks the API for false alarms only.
    await page.locator('device-detail drift-events [data-testid=event-status-filter]').selectOption('false_alarm');
    await page.locator('device-detail drift-events tbody tr').first().and(row('kiosk-1-ev1')).waitFor();
    assert.deepEqual(
      await page
        .locator('device-detail drift-events tbody tr')
        .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-event-id'))),
      ['kiosk-1-ev1'],
    );
    await screenshot(page, 'drift-acknowledged');

    const replica = await deviceReplica(ctx.server.url, dev);
    const events = Object.fromEntries(replica.value.events.map((e) => [e.id, e]));
    assert.equal(events['kiosk-1-ev0']?.acknowledged?.by, 'olivia-operator');
    assert.equal(events['kiosk-1-ev0']?.label, undefined);
    assert.equal(events['kiosk-1-ev1']?.falseAlarm?.by, 'olivia-operator');
    assert.equal(events['kiosk-1-ev1']?.label, 'new sensor');
    // The API lists what the console did.
    const listed = await api(`${ctx.server.url}/api/v1/drift-events?deviceId=${dev.deviceId}`, {
      token: data.tokens.operator,
    });
    const status = Object.fromEntries(listed.body.events.map((e: { id: string; status: string }) => [e.id, e.status]));
    assert.equal(status['kiosk-1-ev0'], 'acknowledged');
    assert.equal(status['kiosk-1-ev1'], 'false_alarm');
    noErrors(s.errors);
    await s.close();
  });

  test('a viewer sees no deploy, upload, revoke or acknowledge action, and the server refuses them anyway', async (b) => {
    const s = await signedIn(b, ctx.server.url, data.tokens.viewer, '#/deployments');
    const { page } = s;
    await page.locator('deployments-page [data-testid=no-deploy]').waitFor();
    assert.equal(await page.locator('deploy-form').count(), 0);
    await screenshot(page, 'viewer');
    await go(page, `#/fleet/${data.devices[1]!.deviceId}`);
    await page.locator('device-detail drift-events tbody tr').first().waitFor();
    assert.equal(await page.locator('device-detail .ack-btn').count(), 0);
    assert.equal(await page.locator('device-detail [data-testid=revoke-device]').count(), 0);
    await go(page, '#/fleet');
    await page.locator('fleet-page enrolment-codes').waitFor();
    assert.equal(await page.locator('fleet-page enrolment-codes form').count(), 0);
    await go(page, `#/models/${MODEL}`);
    await page.locator('model-detail [data-testid=versions]').waitFor();
    assert.equal(await page.locator('upload-form').count(), 0);
    noErrors(s.errors);
    await s.close();

    const viewer = data.tokens.viewer;
    const deploy = await api(`${data.v1}/deployments`, {
      token: viewer,
      body: { groupId: data.groupId, model: { name: MODEL, version: 1 } },
    });
    assert.equal(deploy.status, 403);
    assert.match(deploy.body.error.message, /role viewer may not/);
    const sync = await api(`${data.v1}/sync/device:${data.devices[0]!.deviceId}`, {
      token: viewer,
      body: { have: [], changes: [] },
    });
    assert.equal(sync.status, 403);
    assert.equal(
      (await api(`${data.v1}/devices/${data.devices[0]!.deviceId}`, { token: viewer, method: 'DELETE' })).status,
      403,
    );
    const upload = new FormData();
    upload.append('file', new Blob([data.onnx as Uint8Array<ArrayBuffer>]), 'm.onnx');
    const up = await fetch(`${data.v1}/models/${MODEL}/versions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${data.tokens.operator}` },
      body: upload,
    });
    assert.equal(up.status, 403, 'an operator may not upload models either');
  });

  // Last: it revokes a device the other tests use.
  test('an operator pauses and rolls back a canary, copies and revokes an enrolment code, and revokes a device', async (b) => {
    const op = data.tokens.operator;
    const created = await api(`${data.v1}/deployments`, {
      token: op,
      body: { groupId: data.groupId, model: { name: MODEL, version: 1 }, canaryPercent: 50, reason: 'try v1 again' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const s = await signedIn(b, ctx.server.url, op, `#/deployments/${created.body.id}`);
    const { page } = s;
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ctx.server.url });
    const reasons = ['latency looks off', 'not worth the risk'];
    page.on('dialog', (d) => void d.accept(reasons.shift()));
    const status = page.locator('deployment-detail [data-testid=deployment-status]');
    await status.filter({ hasText: 'canary' }).waitFor();
    await page.locator('deployment-detail button[data-action=pause]').click();
    await status.filter({ hasText: 'paused' }).waitFor();
    assert.equal(
      await page.locator('deployment-detail button[data-action=pause]').isDisabled(),
      true,
      'a paused rollout cannot be paused again',
    );
    await page.locator('deployment-detail button[data-action=rollback]').click();
    await status.filter({ hasText: 'rolled_back' }).waitFor();
    const audit = (await page.locator('deployment-detail [data-testid=audit]').textContent()) ?? '';
    assert.match(audit, /paused[\s\S]*olivia-operator[\s\S]*latency looks off/);
    assert.match(audit, /rolled_back[\s\S]*olivia-operator[\s\S]*not worth the risk/);
    const { events } = (await api(`${data.v1}/deployments/${created.body.id}/events`, { token: data.tokens.viewer }))
      .body as { events: { action: string; reason: string | null }[] };
    assert.deepEqual(events.map((e) => [e.action, e.reason]).slice(-2), [
      ['paused', 'latency looks off'],
      ['rolled_back', 'not worth the risk'],
    ]);

    // An enrolment code: created, copied to the clipboard, revoked — and then refused by the server.
    await go(page, '#/fleet');
    const codes = page.locator('fleet-page enrolment-codes');
    await codes.locator('[data-testid=create-code] button').click();
    const shown = codes.locator('[data-testid=new-code] code');
    await shown.waitFor();
    const code = ((await shown.textContent()) ?? '').trim();
    await codes.locator('[data-testid=new-code] button').filter({ hasText: 'Copy' }).click();
    await codes.locator('[data-testid=new-code] button').filter({ hasText: 'Copied' }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), code);
    const rows = codes.locator('[data-testid=codes] tbody tr');
    const before = await rows.count();
    const active = rows.filter({ hasText: 'active' });
    assert.equal(await active.count(), 1, "the new code is the one active code (the fixture's is used up)");
    await active.locator('button', { hasText: 'Revoke' }).click();
    await codes.locator('[data-testid=codes] .error').filter({ hasText: 'revoked' }).first().waitFor();
    assert.equal(await rows.count(), before);
    const refused = await api(`${data.v1}/devices/enrol`, { body: { code, name: 'too-late' } });
    assert.ok(refused.status >= 400 && refused.status < 500, `a revoked code enrols nobody (${refused.status})`);

    // A device revoked from its page: its token stops working.
    const dev = data.devices[2]!;
    await go(page, `#/fleet/${dev.deviceId}`);
    page.removeAllListeners('dialog');
    page.on('dialog', (d) => void d.accept());
    await page.locator('device-detail [data-testid=revoke-device]').click();
    await page.locator('device-detail .error').filter({ hasText: 'revoked' }).waitFor();
    assert.equal(await page.locator('device-detail [data-testid=revoke-device]').count(), 0);
    const sync = await api(`${data.v1}/sync/device:${dev.deviceId}`, {
      token: dev.token,
      body: { have: [], changes: [] },
    });
    assert.equal(sync.status, 401);
    noErrors(s.errors);
    await s.close();
  });
});
