/**
 * Remote configuration in the console, checked against the server: the fleet page's group config
 * form (a refusal shows the server's message and stores nothing; a good config is stored with its
 * version) and the device page's desired vs applied version with the device's refusal reason.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { deviceDocId, report, type DeviceDoc } from '../../shared/documents/index.ts';
import { DocSync } from '../../shared/sync/documents.ts';
import { enrolDevice, operatorWithGroup, type EnrolledDevice } from '../../testing/fleet.ts';
import { api, pgliteServer } from '../../testing/server-process.ts';
import { consoleSession, go, screenshot } from './browser.ts';

describe('remote configuration in the console (PGlite, Chromium)', () => {
  let v1 = '';
  let url = '';
  let operator = '';
  let groupId = '';
  let device: EnrolledDevice;
  const session = consoleSession(async () => {
    const server = await pgliteServer();
    url = server.server.url;
    v1 = `${url}/api/v1`;
    ({ operator, groupId } = await operatorWithGroup(v1, server.adminToken, 'kiosks'));
    device = await enrolDevice(v1, operator, groupId, 'kiosk-1');
    return { server, token: operator };
  });
  const { text, each } = session;
  const stored = async () => (await api(`${v1}/device-groups/${groupId}/config`, { token: operator })).body;
  const form = 'fleet-page group-config';

  each(
    'the group form: a refused config shows the server’s message and stores nothing; a good one is stored with version 1',
    async () => {
      const page = session.page;
      await go(page, '#/fleet');
      await page.locator(`${form} [data-testid=config-version]`).filter({ hasText: 'version 0' }).waitFor();
      await page.locator(`${form} input[name=syncIntervalSec]`).fill('120');
      await page.locator(`${form} input[name=everyNth]`).fill('3');
      // Not JSON: the form says so before anything is sent.
      await page.locator(`${form} [data-testid=config-detectors]`).fill('{features: ');
      await page.locator(`${form} [data-testid=save-config]`).click();
      await page.locator(`${form} [data-testid=config-error]`).waitFor();
      assert.match(await text(`${form} [data-testid=config-error]`), /Detectors is not valid JSON/);
      // A parameter the detector refuses: the server's 400 names it.
      await page.locator(`${form} [data-testid=config-detectors]`).fill('{"features": {"params": {"lambda": 30}}}');
      await page.locator(`${form} [data-testid=save-config]`).click();
      await page.locator(`${form} [data-testid=config-error]`).filter({ hasText: 'lambda' }).waitFor();
      assert.match(
        await text(`${form} [data-testid=config-error]`),
        /parameter "lambda" of detector "ewma-confidence"[\s\S]*detectors\.features\.params/,
      );
      await screenshot(page, 'config-refused');
      assert.equal((await stored()).version, 0, 'nothing stored');
      // The browser logs the refused request; it is the one expected error.
      assert.ok(
        session.errors.length > 0 && session.errors.every((e) => /status of 400/.test(e)),
        session.errors.join('\n'),
      );
      session.errors.length = 0;

      await page
        .locator(`${form} [data-testid=config-detectors]`)
        .fill('{"features": {"detector": "page-hinkley", "params": {"threshold": 30}}}');
      await page.locator(`${form} [data-testid=config-alerts]`).fill('{"p95LatencyMs": 50}');
      await page.locator(`${form} [data-testid=save-config]`).click();
      await page.locator(`${form} [data-testid=config-saved]`).waitFor();
      const s = await stored();
      assert.equal(s.version, 1);
      assert.deepEqual(s.config, {
        syncIntervalSec: 120,
        sampling: { everyNth: 3 },
        detectors: { features: { detector: 'page-hinkley', params: { threshold: 30 } } },
        alerts: { p95LatencyMs: 50 },
      });
      assert.match(await text(`${form} [data-testid=config-version]`), /^version 1 · ops /);
      await screenshot(page, 'config-saved');
    },
  );

  each('the device page shows desired vs applied version and the device’s refusal reason', async () => {
    // The device's replica: it applied version 1, then refused version 2.
    const doc = await DocSync.open<DeviceDoc>({ url, token: device.token, docId: deviceDocId(device.deviceId) });
    await doc.sync();
    assert.equal(doc.value.desired.configVersion, 1);
    await doc.edit((d) => report(d, { configVersion: 1 }));
    await doc.sync();
    const page = session.page;
    await go(page, `#/fleet/${device.deviceId}`);
    await page.locator('device-detail [data-testid=config-status]').filter({ hasText: 'in line' }).waitFor();
    assert.equal(await text('device-detail [data-testid=config-desired]'), '1');
    assert.equal(await text('device-detail [data-testid=config-applied]'), '1');

    assert.equal(
      (
        await api(`${v1}/device-groups/${groupId}/config`, {
          token: operator,
          method: 'PUT',
          body: { syncIntervalSec: 300 },
        })
      ).status,
      200,
    );
    await doc.sync();
    assert.equal(doc.value.desired.configVersion, 2);
    await doc.edit((d) => report(d, { configError: 'config version 2 refused: storage quota too small' }));
    await doc.sync();
    await go(page, '#/fleet');
    await go(page, `#/fleet/${device.deviceId}`);
    await page.locator('device-detail [data-testid=config-refused]').waitFor();
    assert.equal(await text('device-detail [data-testid=config-desired]'), '2');
    assert.equal(await text('device-detail [data-testid=config-applied]'), '1');
    assert.equal(
      await text('device-detail [data-testid=config-refused]'),
      'config version 2 refused: storage quota too small',
    );
    await screenshot(page, 'config-device');
  });
});
