import { html, LitElement } from 'lit';
import {
  FleetMetricsSchema,
  RegisteredModelSchema,
  type FleetMetrics,
  type ModelVersion,
  type RegisteredModel,
} from '../../../../shared/protocol/index.ts';
import { PollController } from '../../../../shared/ui/poll-controller.ts';
import { api } from '../../api.ts';
import { formatBytes } from '../../../../shared/format/bytes.ts';
import { hoursAgo, num, when } from '../../components/format.ts';
import { view, attempt } from '../../components/load.ts';
import { pageOf } from '../../components/pager.ts';
import '../../components/pager.ts';
import { pageStyles } from '../../components/styles.ts';
import { can } from '../../session.ts';
import '../drift/profile-view.ts';
import { AliasHistorySchema, numericFacts, VersionPageSchema } from './model-data.ts';
import './upload-form.ts';
import { z } from 'zod';

interface Data {
  model: RegisteredModel;
  versions: ModelVersion[];
  history: z.infer<typeof AliasHistorySchema>['items'];
}

const shape = (s: ModelVersion['inputs'][number]['shape']) =>
  s ? `[${s.map((d) => d ?? '?').join(', ')}]` : 'unknown';

/** One registered model: versions, a version's details, aliases and their history, compare two. */
export class ModelDetail extends LitElement {
  static override properties = {
    name: {},
    historyPage: { state: true },
    selected: { state: true },
    a: { state: true },
    b: { state: true },
    compared: { state: true },
    error: { state: true },
    page: { state: true },
  };
  static override styles = pageStyles;
  declare name: string;
  declare selected: number | undefined;
  declare a: number | undefined;
  declare b: number | undefined;
  declare compared: { a: ModelVersion; b: ModelVersion; fa: FleetMetrics; fb: FleetMetrics } | undefined;
  declare error: string | undefined;
  declare page: number;
  declare historyPage: number;

  constructor() {
    super();
    this.name = '';
    this.selected = undefined;
    this.a = undefined;
    this.b = undefined;
    this.compared = undefined;
    this.error = undefined;
    this.page = 0;
    this.historyPage = 0;
  }

  readonly #data = new PollController<Data>(
    this,
    async (signal) => {
      const n = encodeURIComponent(this.name);
      const [model, versions, history] = await Promise.all([
        api.v1(`/models/${n}`, RegisteredModelSchema, {}, signal),
        api.v1(`/models/${n}/versions`, VersionPageSchema, { pageSize: 1000 }, signal),
        api.v1(`/models/${n}/alias-history`, AliasHistorySchema, {}, signal),
      ]);
      return { model, versions: versions.items, history: history.items };
    },
    30_000,
  );

  #run(fn: () => Promise<void>) {
    return attempt(this, fn);
  }

  #setAlias = (e: SubmitEvent) =>
    this.#run(async () => {
      e.preventDefault();
      const data = new FormData(e.target as HTMLFormElement);
      const alias = String(data.get('alias') ?? '').trim();
      await api.send(
        'PUT',
        `/models/${encodeURIComponent(this.name)}/aliases/${encodeURIComponent(alias)}`,
        RegisteredModelSchema,
        { version: Number(data.get('version')) },
      );
      await this.#data.refresh();
    });

  #removeAlias = (alias: string) =>
    this.#run(async () => {
      await api.send(
        'DELETE',
        `/models/${encodeURIComponent(this.name)}/aliases/${encodeURIComponent(alias)}`,
        z.unknown(),
      );
      await this.#data.refresh();
    });

  #compare = (versions: ModelVersion[]) =>
    this.#run(async () => {
      const a = versions.find((v) => v.version === this.a);
      const b = versions.find((v) => v.version === this.b);
      if (!a || !b) throw new Error('Pick two versions.');
      // What each version did in the field over the last 30 days, next to what it was trained to do.
      const fleet = (v: ModelVersion) =>
        api.v1('/fleet/metrics', FleetMetricsSchema, {
          bucket: 'day',
          from: hoursAgo(720),
          modelVersion: `${v.name}@${v.version}`,
        });
      const [fa, fb] = await Promise.all([fleet(a), fleet(b)]);
      this.compared = { a, b, fa, fb };
    });

  #version(v: ModelVersion) {
    const labels = v.metadata.classLabels;
    return html`
      <section data-testid="version-detail">
        <h3>${v.name} version ${v.version} ${v.aliases.map((a) => html`<code>${a}</code> `)}</h3>
        <table>
          <tr><th>sha256</th><td class="mono" data-testid="sha256">${v.sha256}</td></tr>
          <tr><th>Size</th><td>${formatBytes(v.size)}</td></tr>
          <tr><th>Opset / producer</th><td>${v.opset} / ${v.producer}</td></tr>
          <tr><th>Stage</th><td>${v.stage}</td></tr>
          <tr><th>Description</th><td>${v.description || v.metadata.description || '—'}</td></tr>
          <tr><th>Inputs</th><td>${v.inputs.map((i) => html`<div><code>${i.name}</code> ${i.type} ${shape(i.shape)}</div>`)}</td></tr>
          <tr><th>Outputs</th><td>${v.outputs.map((i) => html`<div><code>${i.name}</code> ${i.type} ${shape(i.shape)}</div>`)}</td></tr>
          <tr><th>Class labels</th><td>${labels?.length ? labels.join(', ') : '—'}</td></tr>
          <tr><th>Features</th><td>${v.metadata.features?.join(', ') ?? '—'}</td></tr>
          <tr><th>Run</th><td>${v.runId ? html`<a href="#/experiments/run/${v.runId}">${v.runId}</a>` : '—'}</td></tr>
          <tr><th>Created</th><td>${when(v.createdAt)} by ${v.createdBy ?? '—'}</td></tr>
        </table>
        <h3>Reference profile</h3>
        <profile-view .profile=${v.metadata.referenceProfile}></profile-view>
      </section>`;
  }

  #comparison() {
    const c = this.compared;
    if (!c) return '';
    const fa = numericFacts(c.a.metadata);
    const fb = numericFacts(c.b.metadata);
    const rows: [string, string, string][] = [
      ['size', formatBytes(c.a.size), formatBytes(c.b.size)],
      ['opset', String(c.a.opset), String(c.b.opset)],
      [
        'inputs',
        c.a.inputs.map((i) => `${i.name}${shape(i.shape)}`).join(' '),
        c.b.inputs.map((i) => `${i.name}${shape(i.shape)}`).join(' '),
      ],
      ...[...new Set([...Object.keys(fa), ...Object.keys(fb)])]
        .sort()
        .map((k): [string, string, string] => [k, num(fa[k], 4), num(fb[k], 4)]),
      ['fleet: inferences (30 days)', String(c.fa.totals.count), String(c.fb.totals.count)],
      ['fleet: mean latency ms', num(c.fa.totals.meanLatencyMs), num(c.fb.totals.meanLatencyMs)],
      ['fleet: mean confidence', num(c.fa.totals.meanConfidence, 4), num(c.fb.totals.meanConfidence, 4)],
      ['fleet: records with a drift alarm', String(c.fa.totals.driftAlarms), String(c.fb.totals.driftAlarms)],
      ['fleet: records with a drift warning', String(c.fa.totals.driftWarnings), String(c.fb.totals.driftWarnings)],
    ];
    return html`<table data-testid="compare">
      <thead><tr><th>Metric</th><th>v${c.a.version}</th><th>v${c.b.version}</th></tr></thead>
      <tbody>${rows.map(([k, x, y]) => html`<tr><td>${k}</td><td class=${x !== y ? 'warn' : ''}>${x}</td><td class=${x !== y ? 'warn' : ''}>${y}</td></tr>`)}</tbody>
    </table>`;
  }

  #render(d: Data) {
    const selected = d.versions.find((v) => v.version === this.selected) ?? d.versions[0];
    const pick = (which: 'a' | 'b') => (e: Event) => (this[which] = Number((e.target as HTMLSelectElement).value));
    return html`
      <h2>${d.model.name}</h2>
      <p class="muted">${d.model.description}</p>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      ${can('uploadModel') ? html`<h3>Upload a new version</h3><upload-form .model=${d.model.name} @uploaded=${() => this.#data.refresh()}></upload-form>` : ''}
      <h3>Versions</h3>
      <table data-testid="versions">
        <thead><tr><th>Version</th><th>Aliases</th><th>Stage</th><th>Size</th><th>sha256</th><th>Created</th></tr></thead>
        <tbody>${pageOf(d.versions, this.page).map(
          (v) => html`<tr class=${v === selected ? 'selected' : ''}>
          <td><button @click=${() => (this.selected = v.version)}>v${v.version}</button></td><td>${v.aliases.join(', ') || '—'}</td><td>${v.stage}</td>
          <td>${formatBytes(v.size)}</td><td class="mono">${v.sha256.slice(0, 16)}…</td><td>${when(v.createdAt)}</td></tr>`,
        )}</tbody>
      </table>
      <ts-pager .page=${this.page} .total=${d.versions.length} @page=${(e: CustomEvent<number>) => (this.page = e.detail)}></ts-pager>
      ${selected ? this.#version(selected) : ''}
      <h3>Aliases</h3>
      <p>${Object.entries(d.model.aliases).map(
        ([a, v]) => html`<code>${a}</code> → v${v}
        ${can('editModel') ? html`<button @click=${() => this.#removeAlias(a)}>remove</button>` : ''} `,
      )}</p>
      ${
        can('editModel')
          ? html`<form class="inline" data-testid="set-alias" @submit=${this.#setAlias}>
            <label>Alias<input name="alias" required placeholder="champion" /></label>
            <label>Version<select name="version">${d.versions.map((v) => html`<option value=${v.version}>v${v.version}</option>`)}</select></label>
            <button>Set alias</button></form>`
          : ''
      }
      <table data-testid="alias-history">
        <thead><tr><th>When</th><th>Alias</th><th>From</th><th>To</th><th>By</th></tr></thead>
        <tbody>${pageOf([...d.history].reverse(), this.historyPage).map((h) => html`<tr><td>${when(h.changedAt)}</td><td>${h.alias}</td><td>${h.previousVersion ?? '—'}</td><td>${h.version ?? 'removed'}</td><td>${h.changedBy ?? '—'}</td></tr>`)}</tbody>
      </table>
      <ts-pager .page=${this.historyPage} .total=${d.history.length} @page=${(e: CustomEvent<number>) => (this.historyPage = e.detail)}></ts-pager>
      <h3>Compare two versions</h3>
      <div class="row" data-testid="compare-form">
        <select data-testid="compare-a" @change=${pick('a')}><option value="">version A</option>${d.versions.map((v) => html`<option value=${v.version}>v${v.version}</option>`)}</select>
        <select data-testid="compare-b" @change=${pick('b')}><option value="">version B</option>${d.versions.map((v) => html`<option value=${v.version}>v${v.version}</option>`)}</select>
        <button @click=${() => this.#compare(d.versions)}>Compare</button>
      </div>
      ${this.#comparison()}
    `;
  }

  override render() {
    return html`<p><a href="#/models">← Models</a></p>${view(this.#data.state, (d) => this.#render(d), 'the model')}`;
  }
}

customElements.define('model-detail', ModelDetail);
