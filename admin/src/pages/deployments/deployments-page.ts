import { html, LitElement } from 'lit';
import { z } from 'zod';
import { DeploymentSchema, modelKey, type Deployment, type DeviceGroup } from '../../../../shared/protocol/index.ts';
import { PollController } from '../../../../shared/ui/poll-controller.ts';
import { api } from '../../api.ts';
import { when } from '../../components/format.ts';
import { view } from '../../components/load.ts';
import { pageOf } from '../../components/pager.ts';
import '../../components/pager.ts';
import { pageStyles } from '../../components/styles.ts';
import { can } from '../../session.ts';
import { listGroups } from '../fleet/fleet-data.ts';
import './deploy-form.ts';
import './deployment-detail.ts';

/** `#/deployments`: deploy, and every deployment; `#/deployments/<id>`: one, live. */
export class DeploymentsPage extends LitElement {
  static override properties = { arg: {}, status: { state: true }, page: { state: true } };
  static override styles = pageStyles;
  declare arg: string | undefined;
  declare status: string;
  declare page: number;

  constructor() {
    super();
    this.arg = undefined;
    this.status = '';
    this.page = 0;
  }

  readonly #data = new PollController<{ deployments: Deployment[]; groups: DeviceGroup[] }>(
    this,
    async (signal) => {
      const [list, groups] = await Promise.all([
        api.v1(
          '/deployments',
          z.object({ deployments: z.array(DeploymentSchema) }),
          { status: this.status || undefined },
          signal,
        ),
        listGroups(signal),
      ]);
      return { deployments: list.deployments, groups };
    },
    10_000,
  );

  override render() {
    if (this.arg) return html`<deployment-detail .deploymentId=${this.arg}></deployment-detail>`;
    return html`
      <h2>Deployments</h2>
      ${view(
        this.#data.state,
        ({ deployments, groups }) => {
          const names = new Map(groups.map((g) => [g.id, g.name]));
          return html`
          ${
            can('deploy')
              ? html`<h3>Deploy</h3><deploy-form .groups=${groups} @deployed=${(e: CustomEvent<Deployment>) => (location.hash = `#/deployments/${e.detail.id}`)}></deploy-form>`
              : html`<p class="muted" data-testid="no-deploy">Deploying needs the operator role.</p>`
          }
          <h3>All deployments</h3>
          <div class="row"><select @change=${(e: Event) => ((this.status = (e.target as HTMLSelectElement).value), (this.page = 0), void this.#data.refresh())}>
            <option value="">any status</option>${['canary', 'paused', 'active', 'rolled_back', 'superseded'].map((s) => html`<option>${s}</option>`)}
          </select></div>
          <div class="scroll"><table data-testid="deployments">
            <thead><tr><th>Created</th><th>Group</th><th>Model</th><th>Strategy</th><th>Status</th><th>Previous</th><th>By</th></tr></thead>
            <tbody>${pageOf(deployments, this.page).map(
              (d) => html`<tr>
              <td><a href="#/deployments/${d.id}">${when(d.createdAt)}</a></td><td>${names.get(d.groupId) ?? d.groupId}</td>
              <td><code>${modelKey(d.model)}</code>${d.alias ? ` (${d.alias})` : ''}</td>
              <td>${d.strategy === 'canary' ? `canary ${d.canaryPercent}%` : 'all'}</td><td>${d.status}</td>
              <td>${d.previous ? modelKey(d.previous) : '—'}</td><td>${d.createdBy ?? '—'}</td></tr>`,
            )}</tbody>
          </table></div>
          <ts-pager .page=${this.page} .total=${deployments.length} @page=${(e: CustomEvent<number>) => (this.page = e.detail)}></ts-pager>
        `;
        },
        'deployments',
      )}
    `;
  }
}

customElements.define('deployments-page', DeploymentsPage);
