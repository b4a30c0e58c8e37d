/**
 * The console's Tokens page against a real server: the list with last use, expiry and state; a new
 * token's secret shown once and copied; revoke after a confirmation (and not the last admin token);
 * the page hidden from other roles. Screenshots at kiosk and phone sizes.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe } from 'node:test';
import type { Page } from 'playwright-core';
import { api, pgliteServer } from '../../testing/server-process.ts';
import { consoleSession, go, SHOTS } from './browser.ts';

const PAGE = 'tokens-page';

async function shots(page: Page, name: string): Promise<void> {
  for (const [size, viewport] of [
    ['kiosk', { width: 1280, height: 800 }],
    ['phone', { width: 390, height: 844 }],
  ] as const) {
    await page.setViewportSize(viewport);
    await page.screenshot({ path: path.join(SHOTS, `tokens-${name}-${size}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1360, height: 900 });
}

describe('the Tokens page (PGlite, Chromium)', () => {
  let v1 = '';
  let admin = '';
  let viewer = '';
  const session = consoleSession(async () => {
    const server = await pgliteServer();
    v1 = `${server.server.url}/api/v1`;
    admin = server.adminToken;
    const made = await api(`${v1}/tokens`, {
      token: admin,
      body: { name: 'vic-viewer', role: 'viewer', expiresInDays: 7 },
    });
    viewer = made.body.token;
    await api(`${v1}/me`, { token: viewer });
    return { server, token: admin };
  });
  const { text, each } = session;
  const row = (name: string) =>
    session.page.locator(`${PAGE} tr`).filter({ has: session.page.locator('td:first-child', { hasText: name }) });
  const cells = async (name: string) =>
    (await row(name).locator('td').allTextContents()).map((c) => c.replace(/\s+/g, ' ').trim());

  each('lists the tokens with their state, last use and expiry', async () => {
    const page = session.page;
    await go(page, '#/tokens');
    await row('vic-viewer').waitFor();
    const [name, role, status, lastUsed, expires] = await cells('vic-viewer');
    assert.deepEqual([name, role, status], ['vic-viewer', 'viewer', 'active']);
    assert.notEqual(lastUsed, 'never', 'used once before the page opened');
    assert.notEqual(expires, 'never');
    assert.match((await cells('ADMIN_TOKEN'))[0]!, /ADMIN_TOKEN \(bootstrap\) \(you\)/);
    assert.equal((await cells('ADMIN_TOKEN'))[4], 'never');
    await shots(page, 'list');
  });

  each('creates a token: the secret is shown once, copies, and works', async () => {
    const page = session.page;
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    const form = page.locator(`${PAGE} token-create form`);
    await form.locator('input[name=name]').fill('grafana');
    await form.locator('select[name=role]').selectOption('operator');
    await form.locator('input[name=days]').fill('30');
    await form.locator('button').click();
    const card = page.locator(`${PAGE} token-create [data-testid=new-token]`);
    await card.waitFor();
    const secret = (await card.locator('code').textContent())!;
    assert.match(secret, /^tsk_/);
    assert.match((await card.textContent())!, /New operator token grafana \(expires .+\)[\s\S]*shown only this once/);
    await card.getByRole('button', { name: 'Copy' }).click();
    await card.getByRole('button', { name: 'Copied' }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
    assert.equal((await api(`${v1}/me`, { token: secret })).body.name, 'grafana');
    await row('grafana').waitFor();
    assert.deepEqual((await cells('grafana')).slice(1, 4), ['operator', 'active', 'never']);
    await shots(page, 'created');
    await card.getByRole('button', { name: 'Done' }).click();
    assert.equal(await card.count(), 0, 'the secret is gone from the page');
  });

  each('revokes after a confirmation; cancelled, nothing happens; the last admin token is refused', async () => {
    const page = session.page;
    const grafana = (await api(`${v1}/tokens`, { token: admin })).body.tokens.find(
      (t: { name: string }) => t.name === 'grafana',
    );
    const messages: string[] = [];
    page.once('dialog', (d) => (messages.push(d.message()), void d.dismiss()));
    await row('grafana').getByRole('button', { name: 'Revoke' }).click();
    assert.match(messages[0]!, /Revoke the operator token "grafana"\?/);
    assert.equal((await cells('grafana'))[2], 'active', 'cancelled: still active');

    page.once('dialog', (d) => void d.accept());
    await row('grafana').getByRole('button', { name: 'Revoke' }).click();
    await row('grafana').locator('td.error', { hasText: 'revoked' }).waitFor();
    assert.equal(await row('grafana').getByRole('button', { name: 'Revoke' }).count(), 0);
    assert.ok(
      (await api(`${v1}/tokens`, { token: admin })).body.tokens.find((t: { id: string }) => t.id === grafana.id)
        .revokedAt,
    );
    await shots(page, 'revoked');

    page.once('dialog', (d) => (messages.push(d.message()), void d.accept()));
    await row('ADMIN_TOKEN').getByRole('button', { name: 'Revoke' }).click();
    assert.match(messages[1]!, /the token you are signed in with/);
    await page.locator(`${PAGE} [role=alert]`).waitFor();
    assert.match(await text(`${PAGE} [role=alert]`), /last usable admin token/);
    assert.equal((await api(`${v1}/me`, { token: admin })).status, 200);
    // The browser logs the refused request; it is the one expected error.
    assert.ok(
      session.errors.length > 0 && session.errors.every((e) => /status of 409/.test(e)),
      session.errors.join('\n'),
    );
    session.errors.length = 0;
  });

  each('other roles see no Tokens page', async () => {
    const page = session.page;
    await page.evaluate((t) => localStorage.setItem('tinysphere.token', t), viewer);
    await page.reload();
    await page.locator('tinysphere-admin [data-testid=whoami]').filter({ hasText: 'viewer' }).waitFor();
    assert.ok(!(await page.locator('tinysphere-admin header nav a').allTextContents()).includes('Tokens'));
    await go(page, '#/tokens');
    await page.locator(PAGE).getByText('Tokens are managed by admins.').waitFor();
  });
});
