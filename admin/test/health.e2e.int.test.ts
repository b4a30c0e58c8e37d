/**
 * Device health in the console, checked against the server's answers: the fleet table's health
 * columns, the device page's charts over time, the overview's flags. The server runs on PostgreSQL
 * so the test can age one device's last_seen_at by two hours (an hour cannot be waited out); the
 * health series is written by the devices' own document syncs, one point a second
 * (DEVICE_HEALTH_INTERVAL_SEC=1) so a few seconds make a chart.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe } from 'node:test';
import pg from 'pg';
import type { Locator, Page } from 'playwright-core';
import { report, type DeviceHealth } from '../../shared/documents/index.ts';
import { createTestDatabase } from '../../testing/postgres.ts';
import { api, startServerProcess, tempDataDir, type TestServer } from '../../testing/server-process.ts';
import { consoleSession, go, SHOTS } from './browser.ts';
import { deviceReplica, seed, type Seeded } from './fixture.ts';

const ADMIN = 'health-e2e-admin-token-0123456789';
const GIB = 1024 ** 3;
const ROUNDS = 6;

/** kiosk-1 fills its storage, kiosk-2's battery drains, kiosk-3 is fine but goes quiet (aged by SQL). */
function healthOf(device: number, round: number): DeviceHealth {
  const common = {
    appVersion: '0.1.0',
    browser: 'Chrome 131',
    uptimeSec: 600 + round * 60,
    networkType: '4g',
    downlinkMbps: 10,
  };
  if (device === 0)
    return {
      ...common,
      storageUsedBytes: Math.round((0.8 + round * 0.03) * 2 * GIB),
      storageQuotaBytes: 2 * GIB,
      heapUsedBytes: (40 + round * 5) * 1024 ** 2,
      heapLimitBytes: 2 * GIB,
      batteryLevel: 0.8,
      charging: true,
      rttMs: 50 + round * 10,
    };
  if (device === 1)
    return {
      ...common,
      storageUsedBytes: Math.round(0.4 * 4 * GIB),
      storageQuotaBytes: 4 * GIB,
      heapUsedBytes: 60 * 1024 ** 2,
      heapLimitBytes: 2 * GIB,
      batteryLevel: Math.round((0.5 - round * 0.07) * 100) / 100,
      charging: false,
      rttMs: 150,
      cpuPressure: 'fair',
    };
  return {
    ...common,
    storageUsedBytes: Math.round(0.1 * 8 * GIB),
    storageQuotaBytes: 8 * GIB,
    heapUsedBytes: 30 * 1024 ** 2,
    heapLimitBytes: 4 * GIB,
    rttMs: 30,
  };
}

/** The page at kiosk and phone sizes; with `part`, that element alone too (`health-<name>-part-<size>.png`). */
async function shots(page: Page, name: string, part?: Locator, onPhone?: () => Promise<void>): Promise<void> {
  for (const [size, viewport] of [
    ['kiosk', { width: 1920, height: 1080 }],
    ['phone', { width: 390, height: 844 }],
  ] as const) {
    await page.setViewportSize(viewport);
    await page.waitForTimeout(300); // charts redraw on resize
    if (size === 'phone') await onPhone?.();
    await page.screenshot({ path: path.join(SHOTS, `health-${name}-${size}.png`), fullPage: true });
    if (part) await part.screenshot({ path: path.join(SHOTS, `health-${name}-part-${size}.png`) });
  }
  await page.setViewportSize({ width: 1360, height: 900 });
}

describe('device health in the console (PostgreSQL, Chromium)', () => {
  let data: Seeded;
  let databaseUrl = '';
  const session = consoleSession(async () => {
    const database = await createTestDatabase();
    if (!database) throw new Error('PostgreSQL is needed to age a device by an hour');
    databaseUrl = database.url;
    const dir = await tempDataDir();
    const server = await startServerProcess({
      DATABASE_URL: database.url,
      DATA_DIR: dir.dir,
      ADMIN_TOKEN: ADMIN,
      DEMO: '1',
      DEVICE_HEALTH_INTERVAL_SEC: '1',
    });
    const ctx: TestServer = {
      server,
      adminToken: ADMIN,
      dataDir: dir.dir,
      teardown: async () => (await database.drop(), await dir.remove()),
    };
    data = await seed(server.url, ADMIN);
    const replicas = await Promise.all(data.devices.map((d) => deviceReplica(server.url, d)));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, r] of replicas.entries()) {
        await r.edit((doc) => report(doc, { health: healthOf(i, round) }));
        await r.sync();
      }
      await new Promise((resolve) => setTimeout(resolve, 1100));
    }
    const sql = new pg.Client({ connectionString: databaseUrl });
    await sql.connect();
    await sql.query(`UPDATE devices SET last_seen_at = now() - interval '2 hours' WHERE id = $1`, [
      data.devices[2]!.deviceId,
    ]);
    await sql.end();
    return { server: ctx, token: data.tokens.viewer };
  });
  const { text, each } = session;
  const v1 = () => data.v1;

  each('the fleet table shows each device’s latest health as the server has it', async () => {
    const devices = (await api(`${v1()}/devices`, { token: data.tokens.viewer })).body as {
      id: string;
      name: string;
      health: { health: DeviceHealth } | null;
    }[];
    assert.deepEqual(
      devices.map((d) => d.health?.health),
      [0, 1, 2].map((i) => healthOf(i, ROUNDS - 1)),
      'the server keeps the last round',
    );
    await go(session.page, '#/fleet');
    await session.page.locator('fleet-page device-table tbody tr').first().waitFor();
    const cells = async (id: string) =>
      session.page.locator(`fleet-page device-table tr[data-device="${id}"] td`).allTextContents();
    const header = (await session.page.locator('fleet-page device-table thead th').allTextContents()).map((t) =>
      t.replace(/ [▲▼]$/, ''),
    );
    const col = (name: string) => header.indexOf(name);
    for (const d of devices) {
      const h = d.health!.health;
      const row = await cells(d.id);
      assert.equal(
        row[col('Storage used')],
        `${Math.round((h.storageUsedBytes! / h.storageQuotaBytes!) * 100)} %`,
        d.name,
      );
      assert.equal(
        row[col('Battery')],
        h.batteryLevel === undefined ? '—' : `${Math.round(h.batteryLevel * 100)} %${h.charging ? ' ⚡ charging' : ''}`,
        d.name,
      );
      assert.equal(row[col('Network')], `4g · ${h.rttMs} ms`, d.name);
      assert.match(row[col('JS heap')]!, new RegExp(`^${(h.heapUsedBytes! / 1024 ** 2).toFixed(1)} MiB of`), d.name);
    }
    // The cells over the thresholds are marked.
    assert.equal(
      await session.page.locator(`fleet-page device-table tr[data-device="${devices[0]!.id}"] td.error`).count(),
      1,
    );
    assert.equal(
      await session.page.locator(`fleet-page device-table tr[data-device="${devices[1]!.id}"] td.error`).count(),
      1,
    );
    assert.equal(
      await session.page.locator(`fleet-page device-table tr[data-device="${devices[2]!.id}"] td.error`).count(),
      0,
    );
    assert.match(
      await text(`fleet-page device-table tr[data-device="${devices[2]!.id}"]`),
      /offline/,
      'aged two hours',
    );
    // On a phone the table scrolls sideways under the device names (the page does not widen): the shot shows its health columns.
    const toHealth = (el: Element) =>
      void (el.scrollLeft =
        (el.querySelector('th:nth-child(8)') as HTMLElement).offsetLeft -
        (el.querySelector('th') as HTMLElement).offsetWidth);
    await shots(session.page, 'fleet', undefined, () =>
      session.page.locator('fleet-page device-table .scroll').evaluate(toHealth),
    );
  });

  each('the device page charts storage, heap, battery and rtt over time from the series', async () => {
    const d = data.devices[1]!;
    const series = (await api(`${v1()}/devices/${d.deviceId}/health`, { token: data.tokens.viewer })).body as {
      points: { health: DeviceHealth }[];
    };
    assert.equal(series.points.length, ROUNDS, 'one point per round');
    await go(session.page, `#/fleet/${d.deviceId}`);
    const panel = session.page.locator('device-detail device-health-panel');
    await panel.locator('[data-testid=health-latest] tbody').waitFor();
    assert.equal(await panel.locator('[data-testid=health-points]').textContent(), `${ROUNDS} reports in the window`);
    const latest = await panel.locator('[data-testid=health-latest]').textContent();
    assert.match(latest ?? '', /Battery\s*15 %/);
    assert.match(latest ?? '', /CPU pressure\s*fair/);
    assert.equal(await panel.locator('ts-chart canvas').count(), 4);
    const plotted = async (label: string) =>
      panel
        .locator(`ts-chart[label=${label}]`)
        .evaluate(
          (el) =>
            (el as unknown as { config: { data: { datasets: { data: (number | null)[] }[] } } }).config.data
              .datasets[0]!.data,
        );
    assert.deepEqual(
      await plotted('battery'),
      series.points.map((p) => p.health.batteryLevel! * 100),
    );
    assert.deepEqual(
      await plotted('rtt'),
      series.points.map((p) => p.health.rttMs!),
    );
    assert.deepEqual(
      await plotted('storage'),
      series.points.map((p) => (p.health.storageUsedBytes! / p.health.storageQuotaBytes!) * 100),
    );
    assert.deepEqual(
      await plotted('heap'),
      series.points.map((p) => p.health.heapUsedBytes! / 1024 ** 2),
    );
    // The panel must fit a phone: nothing in it wider than the viewport.
    // (Charts resize a frame or two after the viewport does, hence the wait.)
    await session.page.setViewportSize({ width: 390, height: 844 });
    let width = Infinity;
    for (let i = 0; i < 30 && width > 390; i++, await session.page.waitForTimeout(100))
      width = await panel.evaluate((el) => el.scrollWidth);
    assert.ok(width <= 390, `the health panel is ${width} px wide on a 390 px phone`);
    await shots(session.page, 'device', panel);
  });

  each('the overview flags the devices the server says need attention, with their reasons', async () => {
    const attention = (await api(`${v1()}/fleet/attention`, { token: data.tokens.viewer })).body as {
      devices: { deviceId: string; name: string; reasons: string[] }[];
    };
    assert.deepEqual(
      attention.devices.map((d) => [d.name, d.reasons]),
      [
        ['kiosk-1', ['storage']],
        ['kiosk-2', ['battery']],
        ['kiosk-3', ['not_seen']],
      ],
    );
    await go(session.page, '#/overview');
    const rows = session.page.locator('overview-page attention-list [data-testid=attention] tbody tr');
    await rows.first().waitFor();
    const shown = [];
    for (const row of await rows.all()) {
      shown.push([
        await row.locator('td a').textContent(),
        await row.locator('.flag').evaluateAll((els) => els.map((e) => e.getAttribute('data-reason'))),
      ]);
    }
    assert.deepEqual(
      shown,
      attention.devices.map((d) => [d.name, d.reasons]),
    );
    assert.match(
      await text('overview-page attention-list [data-testid=attention]'),
      /storage 95 % of quota[\s\S]*battery 15 %, not charging[\s\S]*not seen since/,
    );
    await shots(session.page, 'overview');
  });
});
