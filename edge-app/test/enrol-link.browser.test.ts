/**
 * An enrolment link never enrols by itself: the enrol screen shows the server it names and waits
 * for a person (the whole flow in the built app against TinySphere: pwa-screens.e2e.int.test.ts).
 */
import { expect } from '@esm-bundle/chai';
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
    expect(location.search).to.equal('', 'the code left the address at once');
    expect(text(screen, '[data-testid=link-server]')).to.equal(location.origin);
    expect(text(screen, '[data-testid=confirm-enrol]')).to.equal(`Enrol with ${location.host}`);
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).to.deep.equal([], 'nothing happens before a person answers');
    $(screen, '[data-testid=confirm-enrol]')!.click();
    await new Promise((r) => setTimeout(r, 0));
    expect(calls).to.deep.equal([[location.origin, 'ABC-123']]);
    await screen.updateComplete;
    expect($(screen, '[data-testid=enrol-link]')).to.equal(null);
    expect(text(screen, '[data-testid=enrol-done]')).to.match(
      /^Enrolled; no model is deployed to this device's group yet — waiting for a deployment/,
    );
  });

  it('Cancel dismisses the link and enrols nothing', async () => {
    const calls: [string, string][] = [];
    const screen = await openLink(`?code=XYZ&server=${encodeURIComponent(location.origin)}&kiosk`, calls);
    expect(location.search).to.match(/^\?kiosk=?$/, 'other parameters stay');
    $(screen, '[data-testid=cancel-enrol]')!.click();
    await screen.updateComplete;
    expect($(screen, '[data-testid=enrol-link]')).to.equal(null);
    expect(text(screen, '[data-testid=enrol-done]')).to.equal('Nothing was done: the link was dismissed.');
    expect(calls).to.deep.equal([]);
  });

  it("a link to another server shows that server's origin and offers its own app, never enrolling from here", async () => {
    const calls: [string, string][] = [];
    const screen = await openLink(
      `?code=C0DE&server=${encodeURIComponent('https://fleet.example.org:8443/some/path?x=1')}`,
      calls,
    );
    expect(text(screen, '[data-testid=link-server]')).to.equal('https://fleet.example.org:8443');
    const open = $<HTMLAnchorElement>(screen, '[data-testid=open-server]')!;
    expect(open.href).to.equal('https://fleet.example.org:8443/?code=C0DE');
    expect(open.rel).to.equal('noreferrer');
    expect($(screen, '[data-testid=confirm-enrol]')).to.equal(null);
    expect($<HTMLButtonElement>(screen, '[data-testid=enrol]')!.disabled).to.equal(
      true,
      'the form waits for the answer too',
    );
    expect(calls).to.deep.equal([]);
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
    expect(text(screen, '[data-testid=link-server]')).to.equal('http://10.0.0.5:8080');
    expect(calls).to.deep.equal([]);
  });

  it('reads links: no code → nothing; a server that is no web address → refused', () => {
    expect(readEnrolLink('?server=https://a.example', 'https://b.example')).to.equal(null);
    expect(readEnrolLink('?code=1&server=javascript:alert(1)', 'https://b.example')).to.have.property(
      'kind',
      'invalid',
    );
    expect(readEnrolLink('?code=1&server=not a url', 'https://b.example')).to.have.property('kind', 'invalid');
    expect(readEnrolLink('?code=1&server=https://B.example/', 'https://b.example')).to.deep.equal({
      kind: 'here',
      code: '1',
      origin: 'https://b.example',
    });
  });

  it('a device with no model says why: no deployment yet, or a deployment that leaves it out', async () => {
    expect(noModelReasonOf({ deploymentId: undefined })).to.equal('no-deployment');
    expect(noModelReasonOf({ deploymentId: '6d0c1f4e-8f8a-4d55-9a4b-2f1f0c6a7b10' })).to.equal('not-included');
    expect(noModelReasonOf({ model: { name: 'm' }, deploymentId: '6d0c1f4e-8f8a-4d55-9a4b-2f1f0c6a7b10' })).to.equal(
      undefined,
    );
    const screen = document.createElement('lcm-status-screen');
    screen.app = fixtureApp([], 'not-included');
    document.body.append(screen);
    await screen.updateComplete;
    expect(text(screen, '[data-testid=status-waiting]')).to.match(
      /^the group's deployment leaves this device out \(a canary on other devices/,
    );
  });
});
