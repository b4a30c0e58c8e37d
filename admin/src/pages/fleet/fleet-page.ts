import { html, LitElement } from 'lit';
import { PollController } from '../../../../shared/ui/poll-controller.ts';
import { view } from '../../components/load.ts';
import { pageStyles } from '../../components/styles.ts';
import './device-detail.ts';
import './device-table.ts';
import './enrolment-codes.ts';
import './group-config.ts';
import { loadFleet, type DeviceRow } from './fleet-data.ts';
import type { DeviceGroup } from '../../../../shared/protocol/index.ts';

/** `#/fleet`: the device table and enrolment; `#/fleet/<id>`: one device. */
export class FleetPage extends LitElement {
  static override properties = { arg: {} };
  static override styles = pageStyles;
  declare arg: string | undefined;
  readonly #fleet = new PollController<{ rows: DeviceRow[]; groups: DeviceGroup[] }>(
    this,
    (signal) => loadFleet(signal),
    15_000,
  );

  constructor() {
    super();
    this.arg = undefined;
  }

  override render() {
    if (this.arg) return html`<device-detail .deviceId=${this.arg}></device-detail>`;
    return html`
      <h2>Fleet</h2>
      ${view(
        this.#fleet.state,
        (f) => html`
        <device-table .rows=${f.rows}></device-table>
        <h3>Groups and enrolment codes</h3>
        <enrolment-codes .groups=${f.groups} @changed=${() => this.#fleet.refresh()}></enrolment-codes>
        <h3>Group configuration</h3>
        <group-config .groups=${f.groups}></group-config>
      `,
        'the fleet',
      )}
    `;
  }
}

customElements.define('fleet-page', FleetPage);
