import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { api, pgliteServer, runToExit } from '../../testing/server-process.ts';
import { consoleSession, go, screenshot } from './browser.ts';

const DEVICES = 3;
const RECORDS = 200;

/**
 * The console over a TinySphere that only `tinylcm simulate` populated (the setting):
 * devices running the real TinyLCM core enrolled, pulled the deployed demo model, inferred with a
 * heat wave from halfway on, and uploaded. Every page shows what the server holds.
 */
describe('the console over a fleet populated by tinylcm simulate, in Chromium', () => {
  let summary: {
    devices: number;
    records: number;
    driftAlarms: number;
    driftWarnings: number;
    byModelVersion: Record<string, number>;
  };
  const session = consoleSession(async () => {
    const ctx = await pgliteServer({ DEMO: '1' });
    const sim = await runToExit(
      process.execPath,
      [
        'bin/tinylcm.js',
        'simulate',
        '--server',
        ctx.server.url,
        '--token',
        ctx.adminToken,
        '--devices',
        String(DEVICES),
        '--records',
        String(RECORDS),
        '--drift-at',
        '0.5',
        '--offline-rate',
        '0.2',
        '--timeout',
        '90',
        '--json',
      ],
      {},
      120_000,
    );
    assert.equal(sim.code, 0, sim.stderr);
    const out = JSON.parse(sim.stdout);
    assert.deepEqual([out.devices, out.recordsAcknowledged], [DEVICES, DEVICES * RECORDS]);
    summary = (await api(`${ctx.server.url}/api/v1/fleet/summary`, { token: ctx.adminToken })).body;
    return { server: ctx, token: ctx.adminToken };
  });
  const { text, each } = session;

  each('overview shows the simulated fleet as the server counts it', async () => {
    await session.page.locator('overview-page [data-testid=kpis]').waitFor();
    assert.equal(summary.devices, DEVICES);
    assert.equal(summary.records, DEVICES * RECORDS);
    assert.ok(summary.driftAlarms > 0, 'the heat wave raised drift alarms');
    assert.equal(await text('overview-page [data-testid=kpi-devices]'), String(summary.devices));
    assert.equal(await text('overview-page [data-testid=kpi-drift]'), String(summary.driftAlarms));
    assert.equal(await text('overview-page [data-testid=kpi-drift-warnings]'), String(summary.driftWarnings));
    await screenshot(session.page, 'simulated-overview');
  });

  each(
    'fleet lists the simulated devices running the deployed version; a device shows desired vs reported',
    async () => {
      await go(session.page, '#/fleet');
      const rows = session.page.locator('fleet-page device-table tbody tr');
      await rows.first().waitFor();
      assert.equal(await rows.count(), DEVICES);
      assert.match(await text('fleet-page device-table tbody tr'), /sim-[\s\S]*seattle-weather@1/);
      await rows.first().locator('a').first().click();
      const doc = session.page.locator('device-detail [data-testid=desired-reported]');
      await doc.waitFor();
      assert.match((await doc.textContent()) ?? '', /model\.name\s*seattle-weather\s*seattle-weather/);
      await session.page.locator('device-detail drift-events tbody tr').first().waitFor();
      assert.ok(
        (await session.page.locator('device-detail drift-events tbody tr').count()) > 0,
        'the device reported drift events',
      );
      await screenshot(session.page, 'simulated-device');
    },
  );

  each("deployments shows the simulator's deployment fully rolled out", async () => {
    await go(session.page, '#/deployments');
    await session.page.locator('deployments-page [data-testid=deployments] tbody tr a').first().click();
    await session.page.locator('deployment-detail [data-testid=rollout]').waitFor();
    assert.match(
      await text('deployment-detail [data-testid=rollout]'),
      new RegExp(`${DEVICES} of ${DEVICES} devices report running`),
    );
    await screenshot(session.page, 'simulated-deployment');
  });

  each('drift shows the heat map and the events the simulated devices raised', async () => {
    await go(session.page, '#/drift');
    await session.page.locator('drift-page [data-testid=heatmap] canvas').waitFor();
    await session.page.locator('drift-page drift-events tbody tr').first().waitFor();
    assert.match(await text('drift-page drift-events tbody'), /temp_max|temp_min/);
    // The devices log their inputs: the chosen feature's current distribution is drawn beside the reference.
    await session.page
      .locator('drift-page profile-view [data-testid=feature-current]')
      .filter({ hasText: new RegExp(`current: ${DEVICES * RECORDS} records`) })
      .waitFor();
    await screenshot(session.page, 'simulated-drift');
  });
});
