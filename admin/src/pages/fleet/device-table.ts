import { css, html, LitElement } from 'lit';
import { when } from '../../components/format.ts';
import { pageOf } from '../../components/pager.ts';
import '../../components/pager.ts';
import { batteryAlarm, batteryText, heapText, networkText, pct, storageAlarm } from '../../components/health-format.ts';
import { pageStyles } from '../../components/styles.ts';
import type { DeviceRow } from './fleet-data.ts';

type Key =
  | 'name'
  | 'status'
  | 'lastSeenAt'
  | 'group'
  | 'model'
  | 'openEvents'
  | 'queued'
  | 'storage'
  | 'battery'
  | 'rtt'
  | 'heap';
const COLUMNS: [Key, string][] = [
  ['name', 'Device'],
  ['status', 'Status'],
  ['lastSeenAt', 'Last seen'],
  ['group', 'Group'],
  ['model', 'Model version'],
  ['openEvents', 'Drift state'],
  ['queued', 'Queued records'],
  ['storage', 'Storage used'],
  ['battery', 'Battery'],
  ['rtt', 'Network'],
  ['heap', 'JS heap'],
];

function compare(a: DeviceRow, b: DeviceRow, key: Key): number {
  const x = a[key];
  const y = b[key];
  if (x === y) return 0;
  if (x === null) return 1;
  if (y === null) return -1;
  return typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
}

/** The device table: click a heading to sort, type to filter, pick a status. */
export class DeviceTable extends LitElement {
  static override properties = {
    rows: { attribute: false },
    sortKey: { state: true },
    desc: { state: true },
    filter: { state: true },
    status: { state: true },
    page: { state: true },
  };
  // Narrow screens scroll the table sideways instead of widening the page.
  static override styles = [
    pageStyles,
    css`
      .scroll { overflow-x: auto; }
      td.health { white-space: nowrap; }
      td:first-child { position: sticky; left: 0; background: white; }
      th:first-child { position: sticky; left: 0; }
    `,
  ];
  declare rows: DeviceRow[];
  declare sortKey: Key;
  declare desc: boolean;
  declare filter: string;
  declare status: string;
  declare page: number;

  constructor() {
    super();
    this.rows = [];
    this.sortKey = 'name';
    this.desc = false;
    this.filter = '';
    this.status = '';
    this.page = 0;
  }

  #sort(key: Key) {
    this.desc = this.sortKey === key ? !this.desc : false;
    this.sortKey = key;
  }

  override render() {
    const f = this.filter.toLowerCase();
    const shown = this.rows
      .filter(
        (r) =>
          (!this.status || r.status === this.status) &&
          (!f || [r.name, r.group, r.model, r.id].some((s) => s.toLowerCase().includes(f))),
      )
      .sort((a, b) => (this.desc ? -1 : 1) * compare(a, b, this.sortKey));
    const page = Math.min(this.page, Math.max(0, Math.ceil(shown.length / 10) - 1));
    return html`
      <div class="row">
        <input type="search" placeholder="Filter by name, group, model" data-testid="device-filter" .value=${this.filter} @input=${(e: Event) => ((this.filter = (e.target as HTMLInputElement).value), (this.page = 0))} />
        <select data-testid="status-filter" @change=${(e: Event) => ((this.status = (e.target as HTMLSelectElement).value), (this.page = 0))}>
          <option value="">any status</option><option>online</option><option>offline</option><option>revoked</option>
        </select>
      </div>
      <div class="scroll"><table data-testid="device-table">
        <thead><tr>${COLUMNS.map(([k, label]) => html`<th><button class="sort" data-sort=${k} @click=${() => this.#sort(k)}>${label}${this.sortKey === k ? (this.desc ? ' ▼' : ' ▲') : ''}</button></th>`)}</tr></thead>
        <tbody>
          ${pageOf(shown, page).map(
            (r) => html`
            <tr data-device=${r.id}>
              <td><a href="#/fleet/${r.id}">${r.name}</a></td>
              <td class=${r.status === 'online' ? 'ok' : r.status === 'revoked' ? 'error' : 'warn'}>${r.status}</td>
              <td>${when(r.lastSeenAt)}</td>
              <td>${r.group}</td>
              <td><code>${r.model}</code></td>
              <td class=${r.openEvents ? 'warn' : ''}>${r.drift}</td>
              <td>${r.queued ?? '—'}</td>
              <td class="health ${storageAlarm(r.health) ? 'error' : ''}" title="share of the storage quota used">${pct(r.storage)}</td>
              <td class="health ${batteryAlarm(r.health) ? 'error' : ''}">${batteryText(r.health)}</td>
              <td class="health">${networkText(r.health)}</td>
              <td class="health">${heapText(r.health)}</td>
            </tr>`,
          )}
        </tbody>
      </table></div>
      <ts-pager .page=${page} .total=${shown.length} @page=${(e: CustomEvent<number>) => (this.page = e.detail)}></ts-pager>
    `;
  }
}

customElements.define('device-table', DeviceTable);
