import { css, html, LitElement, svg } from 'lit';
import type { NumericFeatureProfile, ReferenceProfile } from '../../../../shared/drift/profile/schema.ts';
import { num } from '../../components/format.ts';
import { pageStyles } from '../../components/styles.ts';

/** Bars of equal width for counts (a categorical feature's values). */
function bars(counts: readonly number[]) {
  const w = 120 / Math.max(1, counts.length);
  return rects(counts.map((c, i) => ({ x: i * w, w, h: c })));
}

/**
 * A numeric histogram drawn to scale: the profile's bins hold about equal counts (their edges are
 * quantiles), so bar heights are densities — count over the bin's width, from the feature's min to its max.
 */
function densityBars(f: NumericFeatureProfile) {
  if (f.min === null || f.max === null || !(f.max > f.min)) return bars(f.histogram.counts);
  const bounds = [f.min, ...f.histogram.edges, f.max];
  const scale = 120 / (f.max - f.min);
  return rects(
    f.histogram.counts.map((c, i) => {
      const lo = Math.max(f.min!, bounds[i]!);
      const width = Math.min(f.max!, bounds[i + 1]!) - lo;
      return { x: (lo - f.min!) * scale, w: width * scale, h: width > 0 ? c / width : 0 };
    }),
  );
}

/** Bars in a small inline SVG (one per table row: a chart per row would be heavy). */
function rects(bins: { x: number; w: number; h: number }[]) {
  const max = Math.max(Number.MIN_VALUE, ...bins.map((b) => b.h));
  return svg`<svg class="hist" viewBox="0 0 120 24" preserveAspectRatio="none" role="img" aria-label="histogram">
    ${bins.map((b) => svg`<rect x=${b.x} y=${24 - (22 * b.h) / max} width=${Math.max(0.4, b.w - 0.4)} height=${(22 * b.h) / max}></rect>`)}
  </svg>`;
}

/** The reference profile the server will build from the training CSV, as the upload form previews it. */
export class ProfilePreview extends LitElement {
  static override properties = { profile: { attribute: false } };
  static override styles = [
    pageStyles,
    css`
      .hist { width: 8rem; height: 1.5rem; display: block; }
      .hist rect { fill: #0969da; }
      td.n { text-align: right; font-variant-numeric: tabular-nums; }
      .scroll { overflow-x: auto; }
    `,
  ];
  declare profile: ReferenceProfile | undefined;

  constructor() {
    super();
    this.profile = undefined;
  }

  override render() {
    const p = this.profile;
    if (!p) return '';
    return html`
      <p class="muted">Reference profile preview: ${p.rows} training rows, ${p.features.length} features${p.classes ? html`, classes from <code>${p.classes.column}</code>: ${p.classes.labels.map((l, i) => `${l} ${p.classes!.counts[i]}`).join(', ')}` : ''}.</p>
      <div class="scroll"><table data-testid="profile-preview">
        <thead><tr><th>Feature</th><th>Count</th><th>Mean</th><th>Std</th><th>Min</th><th>Max</th><th>Histogram</th></tr></thead>
        <tbody>${p.features.map((f) =>
          f.kind === 'numeric'
            ? html`<tr><td>${f.name}</td><td class="n">${f.count}</td><td class="n">${num(f.mean, 3)}</td><td class="n">${num(f.variance === null ? null : Math.sqrt(f.variance), 3)}</td><td class="n">${num(f.min, 3)}</td><td class="n">${num(f.max, 3)}</td><td>${densityBars(f)}</td></tr>`
            : html`<tr><td>${f.name}</td><td class="n">${f.count}</td><td colspan="4">categorical: ${f.categories.slice(0, 8).join(', ')}</td><td>${bars(f.counts)}</td></tr>`,
        )}</tbody>
      </table></div>
    `;
  }
}

customElements.define('profile-preview', ProfilePreview);
