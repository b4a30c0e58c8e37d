import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { pgliteServer } from '../../testing/server-process.ts';
import { consoleSession, go, screenshot } from './browser.ts';
import { DRIFTING_ALARMS, DRIFTING_WARNINGS, HOURS, MODEL, seed, type Seeded } from './fixture.ts';

describe('the console shows a populated TinySphere, page by page, in Chromium', () => {
  let data: Seeded;
  const session = consoleSession(async () => {
    const ctx = await pgliteServer({ DEMO: '1' });
    data = await seed(ctx.server.url, ctx.adminToken);
    return { server: ctx, token: data.tokens.operator };
  });
  const { text, each: maybe } = session;

  maybe('overview: device counts, inferences, drift alarms, versions in production, trends, CSV', async () => {
    await session.page.locator('overview-page [data-testid=kpis]').waitFor();
    assert.equal(await text('overview-page [data-testid=kpi-devices]'), '3');
    assert.equal(await text('overview-page [data-testid=kpi-online]'), '3');
    assert.equal(await text('overview-page [data-testid=kpi-drift]'), String(DRIFTING_ALARMS));
    assert.equal(
      await text('overview-page [data-testid=kpi-drift-warnings]'),
      String(DRIFTING_WARNINGS),
      'warnings apart from alarms',
    );
    assert.equal(await text('overview-page [data-testid=kpi-production]'), '1');
    assert.equal(await session.page.locator('overview-page ts-chart canvas').count(), 4);
    const download = session.page.waitForEvent('download');
    await session.page.locator('overview-page [data-testid=export-csv]').click();
    const csv = await (await download).createReadStream().then(async (s) => {
      let out = '';
      for await (const c of s) out += c;
      return out;
    });
    const lines = csv.trim().split('\r\n');
    assert.equal(
      lines[0],
      'day,inferences,drift_alarms,drift_warnings,active_devices,mean_latency_ms,mean_confidence,model_versions',
    );
    const sum = (col: number) => lines.slice(1).reduce((s, l) => s + Number(l.split(',')[col]), 0);
    assert.equal(sum(1), 3 * HOURS * 12, 'every seeded record is in the daily export');
    assert.deepEqual([sum(2), sum(3)], [DRIFTING_ALARMS, DRIFTING_WARNINGS]);
    await screenshot(session.page, 'overview');
  });

  maybe('fleet: sortable, filterable device table; enrolment codes', async () => {
    await go(session.page, '#/fleet');
    const rows = session.page.locator('fleet-page device-table tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 3);
    assert.match(
      await text('fleet-page device-table tbody tr'),
      /kiosk-1[\s\S]*online[\s\S]*lab[\s\S]*seattle-weather@1[\s\S]*2 open events[\s\S]*0/,
    );
    await session.page.locator('fleet-page device-table button[data-sort=name]').click();
    assert.match(await text('fleet-page device-table tbody tr'), /kiosk-3/, 'descending by name');
    await session.page.locator('fleet-page device-table [data-testid=device-filter]').fill('kiosk-2');
    assert.equal(await rows.count(), 1);
    await session.page.locator('fleet-page device-table [data-testid=device-filter]').fill('');
    await session.page.locator('fleet-page enrolment-codes [data-testid=create-code] button').click();
    const code = session.page.locator('fleet-page enrolment-codes [data-testid=new-code] code');
    await code.waitFor();
    assert.match((await code.textContent()) ?? '', /\S{10,}/);
    assert.equal(await session.page.locator('fleet-page enrolment-codes [data-testid=codes] tbody tr').count(), 2);
    await screenshot(session.page, 'fleet');
  });

  maybe('device detail: desired vs reported, charts over time, events, uploads', async () => {
    await go(session.page, `#/fleet/${data.devices[1]!.deviceId}`);
    await session.page.locator('device-detail [data-testid=device-name]').filter({ hasText: 'kiosk-2' }).waitFor();
    const doc = await text('device-detail [data-testid=desired-reported]');
    assert.match(doc, /model\.name\s*seattle-weather\s*seattle-weather/);
    assert.match(doc, /status\s*running/);
    assert.equal(await session.page.locator('device-detail ts-chart canvas').count(), 3);
    // The events come from GET /drift-events after the page: wait for them rather than count too early.
    await session.page.locator('device-detail drift-events tbody tr').nth(1).waitFor();
    assert.equal(await session.page.locator('device-detail drift-events tbody tr').count(), 2);
    assert.match(await text('device-detail [data-testid=uploads]'), /1 batches, 96 records/);
    await screenshot(session.page, 'device');
  });

  maybe('models: versions with inputs/outputs, labels, profile, sha256; aliases; compare', async () => {
    await go(session.page, `#/models/${MODEL}`);
    await session.page.locator('model-detail [data-testid=version-detail]').waitFor();
    assert.equal(await session.page.locator('model-detail [data-testid=versions] tbody tr').count(), 2);
    const detail = await text('model-detail [data-testid=version-detail]');
    assert.match(detail, /features float32 \[batch, 4\]/);
    assert.match(detail, /drizzle, fog, rain, snow, sun/);
    assert.match(await text('model-detail [data-testid=sha256]'), /^[0-9a-f]{64}$/);
    assert.equal(
      await session.page.locator('model-detail profile-view [data-testid=profile-features] tbody tr').count(),
      4,
    );
    assert.match(await text('model-detail [data-testid=alias-history]'), /champion/);
    await session.page.locator('model-detail [data-testid=compare-a]').selectOption('1');
    await session.page.locator('model-detail [data-testid=compare-b]').selectOption('2');
    await session.page.locator('model-detail [data-testid=compare-form] button').click();
    await session.page.locator('model-detail [data-testid=compare]').waitFor();
    assert.match(
      await text('model-detail [data-testid=compare]'),
      new RegExp(`fleet: inferences \\(30 days\\)\\s*${3 * HOURS * 12}\\s*0`),
    );
    await screenshot(session.page, 'models');
  });

  maybe('deployments: the list and one deployment with its progress and audit trail', async () => {
    await go(session.page, '#/deployments');
    await session.page.locator('deployments-page [data-testid=deployments] tbody tr').first().waitFor();
    assert.match(
      await text('deployments-page [data-testid=deployments] tbody tr'),
      /lab[\s\S]*seattle-weather@1[\s\S]*champion[\s\S]*active/,
    );
    await session.page.locator('deployments-page [data-testid=deployments] tbody tr a').first().click();
    await session.page.locator('deployment-detail [data-testid=rollout]').waitFor();
    assert.match(await text('deployment-detail [data-testid=rollout]'), /3 of 3 devices report running/);
    assert.match(
      await text('deployment-detail [data-testid=audit]'),
      /created[\s\S]*olivia-operator[\s\S]*first rollout/,
    );
    await screenshot(session.page, 'deployments');
  });

  maybe('drift: heat map, reference vs current, events, an on-demand report', async () => {
    await go(session.page, '#/drift');
    await session.page.locator('drift-page [data-testid=heatmap] canvas').waitFor();
    // The heat map colours alarm records only; warnings ride along for the tooltip and the amber shade.
    const cells = await session.page
      .locator('drift-page [data-testid=heatmap]')
      .evaluate(
        (el) =>
          (el as unknown as { config: { data: { datasets: { data: { alarms: number; warnings: number }[] }[] } } })
            .config.data.datasets[0]!.data,
      );
    assert.deepEqual(
      [cells.reduce((n, c) => n + c.alarms, 0), cells.reduce((n, c) => n + c.warnings, 0)],
      [DRIFTING_ALARMS, DRIFTING_WARNINGS],
    );
    await session.page.locator('drift-page profile-view [data-testid=class-chart]').waitFor();
    await session.page.locator('drift-page drift-events tbody tr').nth(3).waitFor();
    assert.equal(await session.page.locator('drift-page drift-events tbody tr').count(), 4);
    // Without a model version on both sides only the predicted classes can be compared.
    await session.page.locator('drift-page drift-report-form button').click();
    const verdict = session.page.locator('drift-page [data-testid=report-verdict]');
    await verdict.waitFor();
    // The last three hours (kiosk-2's heat wave of "sun") against the hours before.
    assert.match((await verdict.textContent()) ?? '', /Drift detected/);
    assert.match(await text('drift-page [data-testid=feature-note]'), /Choose a model version for both windows/);
    // With the version on both sides, the stored inputs are compared too: the heat wave is in the temperatures.
    for (const side of ['refVersion', 'curVersion'])
      await session.page.locator(`drift-page drift-report-form select[name=${side}]`).selectOption(`${MODEL}@1`);
    await session.page.locator('drift-page drift-report-form button').click();
    const features = session.page.locator('drift-page [data-testid=feature-verdict]');
    await features.waitFor();
    const verdictText = ((await features.textContent()) ?? '').replace(/\s+/g, ' ');
    const counts = /Drift in [1-4] of 4 features \((\d+) reference records, (\d+) current\)/.exec(verdictText);
    assert.ok(counts, verdictText);
    assert.equal(Number(counts[1]) + Number(counts[2]), 3 * HOURS * 12, 'every seeded record, each in one window');
    const rows: Record<string, string | undefined> = {};
    for (const row of await session.page.locator('drift-page [data-testid=feature-table] tbody tr').all()) {
      const cells = (await row.locator('td').allTextContents()).map((c) => c.trim());
      rows[cells[0]!] = cells.at(-1);
    }
    assert.deepEqual(Object.keys(rows), ['precipitation', 'temp_max', 'temp_min', 'wind']);
    assert.equal(rows.temp_max, 'yes', JSON.stringify(rows));
    assert.equal(rows.temp_min, 'yes', JSON.stringify(rows));
    assert.match(
      (await session.page.locator('drift-page [data-testid=feature-distribution]').getAttribute('label')) ?? '',
      /^temp_m(ax|in): reference vs current window$/,
    );
    await screenshot(session.page, 'drift');
  });

  maybe('experiments: runs with params and metrics, compare runs, a run and its registered version', async () => {
    await go(session.page, '#/experiments');
    await session.page
      .locator('experiments-page [data-testid=experiments] button')
      .filter({ hasText: 'seattle-weather-training' })
      .click();
    const runs = session.page.locator('experiments-page [data-testid=runs] tbody tr');
    await runs.first().waitFor();
    assert.equal(await runs.count(), 2);
    await session.page.locator('experiments-page [data-testid=runs] input[type=checkbox]').nth(0).check();
    await session.page.locator('experiments-page [data-testid=runs] input[type=checkbox]').nth(1).check();
    await session.page
      .locator('experiments-page [data-testid=compare-runs] button')
      .filter({ hasText: 'loss' })
      .click();
    await session.page.locator('experiments-page ts-chart canvas').waitFor();
    await screenshot(session.page, 'experiments');
    await go(session.page, `#/experiments/run/${data.runIds[0]}`);
    await session.page.locator('run-view [data-testid=run-versions] a').waitFor();
    assert.match(await text('run-view [data-testid=run-versions]'), /seattle-weather v2/);
    assert.equal(await session.page.locator('run-view ts-chart canvas').count(), 2);
    assert.match(await text('run-view [data-testid=run-params]'), /l2\s*0\.001/);
    await screenshot(session.page, 'run');
  });
});
