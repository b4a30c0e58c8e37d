import { html, type TemplateResult } from 'lit';
import type { DeviceApp, NoModelReason } from '../../app/device-app.ts';

/** Hash routes of the shell's screens that the working screens link to. */
export const ROUTES = { models: '#/models', enrol: '#/enrol', live: '#/live', logs: '#/logs' } as const;

/** What a screen shows while there is nothing to work with: starting up, or no active model. */
export function noModelNotice(app: DeviceApp | undefined): TemplateResult {
  if (!app || app.status().mode === 'starting' || !app.lcm) {
    return html`<p class="card muted" role="status" data-testid="starting">Starting TinyLCM…</p>`;
  }
  const waiting = app.status().waiting;
  if (waiting) {
    return html`<div class="card" role="status" data-testid="no-model" data-waiting=${waiting}>
      <h3>No model is active on this device</h3>
      <p>Its server has sent none: ${noModelReason(waiting)}. It starts on its own when one comes.</p>
    </div>`;
  }
  return html`<div class="card" role="status" data-testid="no-model">
    <h3>No model is active on this device</h3>
    <p>Import a model file or activate a stored version on the <a href=${ROUTES.models}>Models</a> screen,
      or <a href=${ROUTES.enrol}>enrol</a> the device so it pulls the model deployed to it.</p>
  </div>`;
}

/** Why an enrolled device has no model, in words (DeviceStatus.waiting). */
export function noModelReason(waiting: NoModelReason | undefined): string {
  switch (waiting) {
    case 'no-deployment':
      return "no model is deployed to this device's group yet — waiting for a deployment";
    case 'not-included':
      return "the group's deployment leaves this device out (a canary on other devices, or a rollout rolled back) and the group ran no model before it — waiting until the canary is promoted or a new deployment is made";
    default:
      return 'no model is deployed to this group yet';
  }
}
