import { html, LitElement } from 'lit';

export const PAGE_SIZE = 10;

/** The items of one page (0-based) of a list. */
export function pageOf<T>(items: readonly T[], page: number, size = PAGE_SIZE): T[] {
  return items.slice(page * size, (page + 1) * size);
}

/** Previous / next over a list of `total` items; announces `page` with the new page number. */
export class TsPager extends LitElement {
  static override properties = { page: { type: Number }, total: { type: Number }, size: { type: Number } };
  declare page: number;
  declare total: number;
  declare size: number;

  constructor() {
    super();
    this.page = 0;
    this.total = 0;
    this.size = PAGE_SIZE;
  }

  #go(page: number) {
    this.dispatchEvent(new CustomEvent('page', { detail: page }));
  }

  override render() {
    const pages = Math.max(1, Math.ceil(this.total / this.size));
    if (pages <= 1) return html`<small>${this.total} item${this.total === 1 ? '' : 's'}</small>`;
    return html`<small>
      <button ?disabled=${this.page <= 0} @click=${() => this.#go(this.page - 1)}>‹ Previous</button>
      page ${this.page + 1} of ${pages} (${this.total} items)
      <button ?disabled=${this.page >= pages - 1} @click=${() => this.#go(this.page + 1)}>Next ›</button>
    </small>`;
  }
}

customElements.define('ts-pager', TsPager);
