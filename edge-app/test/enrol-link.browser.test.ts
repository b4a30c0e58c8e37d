/**
 * An enrolment link never enrols by itself: the enrol screen shows the server it names and waits
 * for a person (the whole flow in the built app against TinySphere: pwa-screens.e2e.int.test.ts).
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { noModelReasonOf, type DeviceApp, type NoModelReason } from '../src/app/device-app.ts';
import '../src/ui/screens/enrol-screen.ts';
import '../src/ui/screens/status-screen.ts';
import { readEnrolLink } from '../src/ui/screens/enrol-link.ts';

const $ = <E extends HTMLElement = HTMLElement>(root: Element, sel: string) => root.shadowRoot!.querySelector<E>(sel);
const text = (root: Element, sel: string) => $(root, sel)?.textContent?.replace(/\s+/g, ' ').trim() ?? '';

/** The part of DeviceApp the enrol screen uses; enrol() only records its calls. */
function fixtureApp(calls: [string, string][], waiting: NoModelReason = 'no-deployment'): DeviceApp {
  const app = Object.assign(new EventTarget(), {
    lcm: undefined,
    engine: undefined,
    enrolment: null,
    settings: { syncIntervalSec: null, samplingRate: 1, retentionDays: 30 },
    status: () => ({
      mode: 'unenrolled' as const,
      online: true,
      activeModel: undefined,
      lastSync: undefined,
      syncing: false,
      nextSyncAt: undefined,
      queued: { batches: 0, records: 0 },
      storage: undefined,
      alerts: [],
      download: undefined,
      updateAvailable: false,
      waiting,
    }),
    enrol: async (server: string, code: string) => void calls.push([server, code]),
    importModel: () => Promise.reject(new Error('not here')),
    syncNow: async () => undefined,
    updateSettings: async () => undefined,
    applyUpdate: async () => undefined,
  });
  return app;
}

async function openLink(search: string, calls: [string, string][]) {
  const home = location.pathname;
  history.replaceState(null, '', `${home}${search}`);
  const screen = document.createElement('lcm-enrol-screen');
  screen.app = fixtureApp(calls);
  document.body.append(screen);
  await screen.updateComplete;
  return screen;
}

describe('enrolment links ask first (Chromium)', () => {
  const home = `${location.pathname}${location.search}`;
  afterEach(() => {
    document.body.replaceChildren();
    history.replaceState(null, '', home);
  });

  it("a link to this page's own server shows the origin, enrols only after Enrol, and leaves no code in the address", async () => {
    const calls: [string, string][] = [];
    const screen = await openLink('?code=ABC-123', calls);
    assert.equal(location.search, '', 'the code left the address at once');
    assert.equal(text(screen, '[data-testid=link-server]'), location.origin);
    assert.equal(text(screen, '[data-testid=confirm-enrol]'), `Enrol with ${location.host}`);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(calls, [], 'nothing happens before a person answers');
    $(screen, '[data-testid=confirm-enrol]')!.click();
    await new Promise((r) => setTimeout(r, 0));
    assert.deepEqual(calls, [[location.origin, 'ABC-123']]);
    await screen.updateComplete;
    assert.equal($(screen, '[data-testid=enrol-link]'), null);
    assert.match(
      text(screen, '[data-testid=enrol-done]'),
      /^Enrolled; no model is deployed to this device's group yet — waiting for a deployment/,
    );
  });

  it('Cancel dismisses the link and enrols nothing', async () => {
    const calls: [string, string][] = [];
    const screen = await openLink(`?code=XYZ&server=${encodeURIComponent(location.origin)}&kiosk`, calls);
    assert.match(location.search, /^\?kiosk=?$/, 'other parameters stay');
    $(screen, '[data-testid=cancel-enrol]')!.click();
    await screen.updateComplete;
    assert.equal($(screen, '[data-testid=enrol-link]'), null);
    assert.equal(text(screen, '[data-testid=enrol-done]'), 'Nothing was done: the link was dismissed.');
    assert.deepEqual(calls, []);
  });

  it("a link to another server shows that server's origin and offers its own app, never enrolling from here", async () => {
    const calls: [string, string][] = [];
    const screen = await openLink(
      `?code=C0DE&server=${encodeURIComponent('https://fleet.example.org:8443/some/path?x=1')}`,
      calls,
    );
    assert.equal(text(screen, '[data-testid=link-server]'), 'https://fleet.example.org:8443');
    const open = $<HTMLAnchorElement>(screen, '[data-testid=open-server]')!;
    assert.equal(open.href, 'https://fleet.example.org:8443/?code=C0DE');
    assert.equal(open.rel, 'noreferrer');
    assert.equal($(screen, '[data-testid=confirm-enrol]'), null);
    assert.equal(
      $<HTMLButtonElement>(screen, '[data-testid=enrol]')!.disabled,
      true,
      'the form waits for the answer too',
    );
    assert.deepEqual(calls, []);
  });

  it('typing another server into the form gets the same answer instead of a blocked request', async () => {
    const calls: [string, string][] = [];
    const screen = await openLink('', calls);
    const server = $<HTMLInputElement>(screen, '#server')!;
    server.value = 'http://10.0.0.5:8080';
    server.dispatchEvent(new Event('input'));
    const code = $<HTMLInputElement>(screen, '#code')!;
    code.value = 'K1';
    code.dispatchEvent(new Event('input'));
    $(screen, '[data-testid=enrol]')!.click();
    await new Promise((r) => setTimeout(r, 0));
    await screen.updateComplete;
    assert.equal(text(screen, '[data-testid=link-server]'), 'http://10.0.0.5:8080');
    assert.deepEqual(calls, []);
  });

  it('reads links: no code → nothing; a server that is no web address → refused', () => {
    assert.equal(readEnrolLink('?server=https://a.example', 'https://b.example'), null);
    assert.equal(readEnrolLink('?code=1&server=javascript:alert(1)', 'https://b.example')?.kind, 'invalid');
    assert.equal(readEnrolLink('?code=1&server=not a url', 'https://b.example')?.kind, 'invalid');
    assert.deepEqual(readEnrolLink('?code=1&server=https://B.example/', 'https://b.example'), {
      kind: 'here',
      code: '1',
      origin: 'https://b.example',
    });
  });

  it('a device with no model says why: no deployment yet, or a deployment that leaves it out', async () => {
    assert.equal(noModelReasonOf({ deploymentId: undefined }), 'no-deployment');
    assert.equal(noModelReasonOf({ deploymentId: '6d0c1f4e-8f8a-4d55-9a4b-2f1f0c6a7b10' }), 'not-included');
    assert.equal(
      noModelReasonOf({ model: { name: 'm' }, deploymentId: '6d0c1f4e-8f8a-4d55-9a4b-2f1f0c6a7b10' }),
      undefined,
    );
    const screen = document.createElement('lcm-status-screen');
    screen.app = fixtureApp([], 'not-included');
    document.body.append(screen);
    await screen.updateComplete;
    assert.match(
      text(screen, '[data-testid=status-waiting]'),
      /^the group's deployment leaves this device out \(a canary on other devices/,
    );
  });
});
