import { css, html, LitElement } from 'lit';
import { AttentionSchema, type Attention } from '../../../../shared/protocol/device-health.ts';
import { PollController } from '../../../../shared/ui/poll-controller.ts';
import { api } from '../../api.ts';
import { pct, reasonText } from '../../components/health-format.ts';
import { view } from '../../components/load.ts';
import { pageStyles } from '../../components/styles.ts';

const SHOWN = 50;

/** The overview's flags: devices over 90 % of storage, low on battery, or not seen for an hour (GET /fleet/attention). */
export class AttentionList extends LitElement {
  static override styles = [
    pageStyles,
    css`
      .flag { display: inline-block; border-radius: 3px; padding: 0 .35rem; margin: 0 .3rem .2rem 0; font-size: .85rem; background: #fff1e5; color: #9a3b00; border: 1px solid #f0c8a8; }
      .flag.not_seen { background: #f6f8fa; color: #57606a; border-color: #d8dee4; }
    `,
  ];

  readonly #data = new PollController<Attention>(
    this,
    (signal) => api.v1('/fleet/attention', AttentionSchema, { limit: SHOWN }, signal),
    30_000,
  );

  #render(a: Attention) {
    const t = a.thresholds;
    const rules = `storage over ${pct(t.storageShare)} of quota, battery under ${pct(t.batteryLevel)} and not charging, or not seen for ${t.notSeenMs / 3_600_000} h`;
    if (a.total === 0)
      return html`<p class="ok" data-testid="attention-none">No device needs attention (${rules}).</p>`;
    return html`
      <p class="muted">${a.total} device${a.total === 1 ? '' : 's'}: ${rules}${a.total > a.devices.length ? ` (the first ${a.devices.length} by name)` : ''}.</p>
      <table data-testid="attention">
        <thead><tr><th>Device</th><th>Why</th></tr></thead>
        <tbody>
          ${a.devices.map(
            (d) => html`
            <tr data-device=${d.deviceId}>
              <td><a href="#/fleet/${d.deviceId}">${d.name}</a></td>
              <td>${d.reasons.map((r) => html`<span class="flag ${r}" data-reason=${r}>${reasonText(d, r)}</span>`)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    `;
  }

  override render() {
    return view(this.#data.state, (a) => this.#render(a), 'the devices needing attention');
  }
}

customElements.define('attention-list', AttentionList);
