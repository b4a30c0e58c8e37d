// The console's upload form for a tabular model that is not the demo, in Chromium against a real
// server: features declared (typed, then from the training CSV's header), checked against the ONNX
// input before anything is sent, the reference profile previewed in the browser, the server's
// refusal shown, and the upload stored with its features, scaling, labels and reference profile.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../testing/chromium.ts';
import { api, pgliteServer, type TestServer } from '../../testing/server-process.ts';
import { buildTabularModel } from '../../testing/tabular-model.ts';
import { go, noErrors, screenshot, signedIn } from './browser.ts';

const FEATURES = ['Body Mass (g)', 'Flipper Length (mm)', 'Bill Depth (mm)'];
const LABELS = ['Adelie', 'Chinstrap', 'Gentoo'];

describe('console: upload a tabular model with declared features and a training CSV', () => {
  let browser: Browser | undefined;
  let server: TestServer;
  let page: Page;
  let errors: string[];
  let close: () => Promise<void>;
  const model = buildTabularModel({ features: FEATURES, classLabels: LABELS, rows: 300 });
  const trainingCsv = model.csv(model.train, 'species');

  before(async () => {
    browser = await launchChromium();
    if (!browser) return;
    server = await pgliteServer();
    ({ page, errors, close } = await signedIn(browser, server.server.url, server.adminToken));
    await page.setViewportSize({ width: 1920, height: 1080 });
    await go(page, '#/models');
  });
  after(async () => {
    if (!browser) return;
    await close();
    await browser.close();
    await server.server.stop();
    await server.teardown();
  });

  const form = () => page.locator('models-page upload-form');
  const problems = () => form().locator('[data-testid=declare-problems]');
  const v1 = () => `${server.server.url}/api/v1`;

  it('declares features, sees the shape mismatch and the preview, the server’s refusal, then uploads', async (t) => {
    if (!browser) return t.skip('Chromium is not available');
    const f = form();
    await f.locator('input[name=name]').fill('penguins');
    await f
      .locator('input[name=file]')
      .setInputFiles({ name: 'penguins.onnx', mimeType: 'application/octet-stream', buffer: Buffer.from(model.onnx) });
    await f.locator('[data-testid=onnx-input]').filter({ hasText: 'float32 [batch, 3]' }).waitFor();
    await f
      .locator('[data-testid=training-csv]')
      .setInputFiles({ name: 'penguins-train.csv', mimeType: 'text/csv', buffer: Buffer.from(trainingCsv) });

    // Without declared features the browser has nothing to check; the server refuses the CSV, and the form says why.
    await f.locator('[data-testid=upload-submit]').click();
    await f.locator('[data-testid=upload-error]').filter({ hasText: 'reference CSV needs the model' }).waitFor();
    assert.equal(
      (await api(`${v1()}/models/penguins`, { token: server.adminToken })).status,
      404,
      'the refused upload stored nothing',
    );
    // The browser logs the refused request; it is the one expected error.
    assert.ok(
      errors.every((e) => /status of 400/.test(e)),
      errors.join('\n'),
    );
    errors.length = 0;

    // Two typed features for an input three wide: said before anything is sent.
    await f.locator('[data-testid=features]').fill(`${FEATURES[0]}\n${FEATURES[1]}`);
    await problems()
      .filter({
        hasText:
          'The model\'s input "features" (float32 [batch, 3]) takes 3 values per row, but 2 features are declared.',
      })
      .waitFor();
    await f.locator('[data-testid=class-labels]').fill('Adelie, Gentoo');
    await problems()
      .filter({ hasText: "2 class labels are declared, but the model's outputs hold 3 scores per row." })
      .waitFor();
    await screenshot(page, 'upload-mismatch');
    await f.locator('[data-testid=upload-submit]').click();
    await f.locator('[data-testid=upload-error]').filter({ hasText: 'Fix the problems listed above first.' }).waitFor();
    assert.equal((await api(`${v1()}/models/penguins`, { token: server.adminToken })).status, 404, 'nothing was sent');

    // The label column, then the features from the CSV's header (every other column): the preview follows.
    await f.locator('[data-testid=label-column]').selectOption('species');
    await f.locator('[data-testid=use-header]').click();
    assert.equal(await f.locator('[data-testid=features]').inputValue(), FEATURES.join('\n'));
    await f.locator('[data-testid=class-labels]').fill(LABELS.join(', '));
    // (This graph scales its own input; min-max is chosen to check the scale the form computes and stores.)
    await f.locator('[data-testid=scaling]').selectOption('minmax');
    const rows = f.locator('profile-preview [data-testid=profile-preview] tbody tr');
    await rows.nth(2).waitFor();
    assert.equal(await rows.count(), 3);
    assert.equal(await problems().count(), 0);
    const massCol = model.train.rows.map((r) => r[0]!);
    const mean = massCol.reduce((a, b) => a + b, 0) / massCol.length;
    const cells = await rows.first().locator('td').allTextContents();
    assert.deepEqual(cells.slice(0, 3), [FEATURES[0], '300', mean.toFixed(3)]);
    const min = Math.min(...massCol);
    assert.equal(cells[4], Number.isInteger(min) ? String(min) : min.toFixed(3));
    assert.equal((await rows.first().locator('svg.hist rect').count()) > 3, true, 'a small histogram per feature');
    assert.match(
      (await f.locator('profile-preview p').textContent()) ?? '',
      /classes from species: Adelie 100, Chinstrap 100, Gentoo 100/,
    );
    await screenshot(page, 'upload-preview');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'upload-preview-mobile');
    await page.setViewportSize({ width: 1920, height: 1080 });

    await f.locator('[data-testid=upload-submit]').click();
    await f
      .locator('[data-testid=upload-done]')
      .filter({ hasText: 'Registered penguins version 1' })
      .waitFor({ timeout: 30_000 });
    await screenshot(page, 'upload-done');

    const v = (await api(`${v1()}/models/penguins/versions/1`, { token: server.adminToken })).body;
    assert.deepEqual(v.metadata.features, FEATURES);
    assert.deepEqual(v.metadata.classLabels, LABELS);
    assert.deepEqual(v.metadata.preprocessing, {
      kind: 'tabular',
      features: FEATURES,
      scale: {
        min: FEATURES.map((_, j) => Math.min(...model.train.rows.map((r) => r[j]!))),
        max: FEATURES.map((_, j) => Math.max(...model.train.rows.map((r) => r[j]!))),
      },
    });
    // The server built the reference profile from the CSV the form sent along (the lead's server part).
    const profile = v.metadata.referenceProfile;
    assert.ok(profile, `the version has a reference profile: ${JSON.stringify(v.metadata).slice(0, 300)}`);
    assert.equal(profile.rows, 300);
    assert.deepEqual(
      profile.features.map((p: { name: string }) => p.name),
      FEATURES,
    );
    assert.equal(profile.classes.column, 'species');
    assert.deepEqual(profile.classes.counts, [100, 100, 100]);
    noErrors(errors);
  });
});
