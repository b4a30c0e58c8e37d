import { html, LitElement } from 'lit';
import { z } from 'zod';
import {
  DeploymentDetailSchema,
  DeploymentEventSchema,
  DeploymentSchema,
  modelKey,
  type DeploymentDetail,
  type DeploymentEvent,
} from '../../../../shared/protocol/index.ts';
import { PollController } from '../../../../shared/ui/poll-controller.ts';
import { api, errorText } from '../../api.ts';
import '../../charts/chart.ts';
import { lineChart } from '../../charts/series.ts';
import { when } from '../../components/format.ts';
import { view } from '../../components/load.ts';
import { pageOf } from '../../components/pager.ts';
import '../../components/pager.ts';
import { pageStyles } from '../../components/styles.ts';
import { can } from '../../session.ts';

/** Rollout progress is polled this often while the page is open. */
export const PROGRESS_POLL_MS = 2000;

/** One deployment: live rollout progress (devices per version), promote / pause / roll back, audit trail. */
export class DeploymentDetailView extends LitElement {
  static override properties = {
    deploymentId: {},
    busy: { state: true },
    error: { state: true },
    page: { state: true },
  };
  static override styles = pageStyles;
  declare deploymentId: string;
  declare busy: string | undefined;
  declare error: string | undefined;
  declare page: number;

  constructor() {
    super();
    this.deploymentId = '';
    this.busy = undefined;
    this.error = undefined;
    this.page = 0;
  }

  readonly #data = new PollController<{ d: DeploymentDetail; events: DeploymentEvent[] }>(
    this,
    async (signal) => {
      const [d, events] = await Promise.all([
        api.v1(`/deployments/${this.deploymentId}`, DeploymentDetailSchema, {}, signal),
        api.v1(
          `/deployments/${this.deploymentId}/events`,
          z.object({ events: z.array(DeploymentEventSchema) }),
          {},
          signal,
        ),
      ]);
      return { d, events: events.events };
    },
    PROGRESS_POLL_MS,
  );

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('deploymentId') && changed.get('deploymentId')) void this.#data.refresh();
  }

  async #act(action: 'promote' | 'pause' | 'rollback') {
    const reason = prompt(`Reason to ${action === 'rollback' ? 'roll back' : action} (optional)`);
    if (reason === null) return;
    this.busy = action;
    this.error = undefined;
    try {
      await api.send(
        'POST',
        `/deployments/${this.deploymentId}/${action}`,
        DeploymentSchema,
        reason.trim() ? { reason: reason.trim() } : {},
      );
      await this.#data.refresh();
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.busy = undefined;
    }
  }

  #render({ d, events }: { d: DeploymentDetail; events: DeploymentEvent[] }) {
    const keys = [...new Set([...Object.keys(d.progress.desired), ...Object.keys(d.progress.reported)])].sort();
    const target = modelKey(d.model);
    const running = d.progress.reported[target] ?? 0;
    const live = d.status === 'canary' || d.status === 'paused';
    const button = (a: 'promote' | 'pause' | 'rollback', label: string, enabled: boolean) =>
      html`<button data-action=${a} ?disabled=${!enabled || this.busy !== undefined} @click=${() => this.#act(a)}>${this.busy === a ? `${label}…` : label}</button>`;
    return html`
      <h2>Deployment of <code>${target}</code>${d.alias ? html` (alias ${d.alias})` : ''}</h2>
      <p>Status <b data-testid="deployment-status">${d.status}</b> · ${d.strategy === 'canary' ? `canary ${d.canaryPercent}% (${d.canaryDevices.length} devices)` : 'whole group'}
        · previous ${d.previous ? html`<code>${modelKey(d.previous)}</code>` : 'none'} · by ${d.createdBy ?? '—'} ${when(d.createdAt)}</p>
      ${
        d.gates
          ? html`<p class="muted">Gates: ${Object.entries(d.gates)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')}</p>`
          : ''
      }
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      ${
        can('deploy')
          ? html`<div class="row" data-testid="deployment-actions">
            ${button('promote', 'Promote to all', live)} ${button('pause', 'Pause', d.status === 'canary')} ${button('rollback', 'Roll back', live || d.status === 'active')}
          </div>`
          : ''
      }
      <h3>Rollout progress</h3>
      <p data-testid="rollout">${running} of ${d.progress.devices} devices report running <code>${target}</code>
        <progress max=${Math.max(1, d.progress.devices)} .value=${running}></progress></p>
      <table data-testid="progress">
        <thead><tr><th>Model</th><th>Devices told to run it</th><th>Devices reporting it</th></tr></thead>
        <tbody>${keys.map((k) => html`<tr><td><code>${k}</code></td><td>${d.progress.desired[k] ?? 0}</td><td>${d.progress.reported[k] ?? 0}</td></tr>`)}</tbody>
      </table>
      <ts-chart label="devices per version" style="height:180px" .config=${lineChart(
        ['desired', 'reported'],
        keys.map((k) => ({ label: k, data: [d.progress.desired[k] ?? 0, d.progress.reported[k] ?? 0] })),
        { type: 'bar', stacked: true },
      )}></ts-chart>
      <h3>Audit history</h3>
      <table data-testid="audit">
        <thead><tr><th>When</th><th>Action</th><th>By</th><th>Reason</th><th>Details</th></tr></thead>
        <tbody>${pageOf(events, this.page).map((e) => html`<tr><td>${when(e.at)}</td><td>${e.action}</td><td>${e.actor}</td><td>${e.reason ?? '—'}</td><td class="mono">${Object.keys(e.details).length ? JSON.stringify(e.details) : ''}</td></tr>`)}</tbody>
      </table>
      <ts-pager .page=${this.page} .total=${events.length} @page=${(e: CustomEvent<number>) => (this.page = e.detail)}></ts-pager>
    `;
  }

  override render() {
    return html`<p><a href="#/deployments">← Deployments</a></p>${view(this.#data.state, (v) => this.#render(v), 'the deployment')}`;
  }
}

customElements.define('deployment-detail', DeploymentDetailView);
