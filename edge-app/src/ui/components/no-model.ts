import { html, type TemplateResult } from 'lit';
import type { DeviceApp } from '../../app/device-app.ts';

/** Hash routes of the shell's screens that the working screens link to. */
export const ROUTES = { models: '#/models', enrol: '#/enrol', live: '#/live', logs: '#/logs' } as const;

/** What a screen shows while there is nothing to work with: starting up, or no active model. */
export function noModelNotice(app: DeviceApp | undefined): TemplateResult {
  if (!app || app.status().mode === 'starting' || !app.lcm) {
    return html`<p class="card muted" role="status" data-testid="starting">Starting TinyLCM…</p>`;
  }
  return html`<div class="card" role="status" data-testid="no-model">
    <h3>No model is active on this device</h3>
    <p>Import a model file or activate a stored version on the <a href=${ROUTES.models}>Models</a> screen,
      or <a href=${ROUTES.enrol}>enrol</a> the device so it pulls the model deployed to it.</p>
  </div>`;
}
