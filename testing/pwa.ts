/** What the PWA's browser tests share: locating inside <tinylcm-app>, screenshots, service worker, enrolment set-up. */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { api, REPO_ROOT } from './server-process.ts';

export const SCREENSHOTS = path.join(REPO_ROOT, 'screenshots', 'pwa');

/** An element by data-testid anywhere inside the app (Playwright's CSS locators pierce shadow roots). */
export const byTestId = (page: Page, id: string) => page.locator(`tinylcm-app [data-testid="${id}"]`);

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Resolves once the service worker is active (its precache — the whole app — is complete then). */
export function serviceWorkerReady(page: Page): Promise<boolean> {
  return page.evaluate(async () => !!(await navigator.serviceWorker.ready).active);
}

/** A device group with a fresh single-use enrolment code, made through the API as admin. */
export async function groupWithCode(
  serverUrl: string,
  adminToken: string,
  name: string,
): Promise<{ groupId: string; code: string }> {
  const v1 = `${serverUrl}/api/v1`;
  const group = await api(`${v1}/device-groups`, { token: adminToken, body: { name } });
  if (group.status !== 201) throw new Error(`creating group: ${group.status} ${JSON.stringify(group.body)}`);
  const code = await api(`${v1}/device-groups/${group.body.id}/enrolment-codes`, {
    token: adminToken,
    body: { uses: 1, expiresInSeconds: 600 },
  });
  if (code.status !== 201) throw new Error(`creating code: ${code.status} ${JSON.stringify(code.body)}`);
  return { groupId: group.body.id, code: code.body.code };
}
