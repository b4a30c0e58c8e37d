import { css, html, LitElement, nothing, type TemplateResult } from 'lit';
import type { DeviceApp, DeviceStatus } from '../app/device-app.ts';
import { percentOf } from './format.ts';
import { AppController } from './controllers/app-controller.ts';
import './screens/enrol-screen.ts';
import './screens/settings-screen.ts';
import './screens/status-screen.ts';

type RouteId = 'enrol' | 'status' | 'live' | 'models' | 'logs' | 'settings';
interface Route {
  id: RouteId;
  label: string;
  render: (app: DeviceApp) => TemplateResult;
  /** Screens built apart from the shell, loaded when first opened (Vite finds them at build time). */
  load?: () => Promise<unknown>;
  tag?: string;
}

// A glob, not imports: the build works whether or not these screens exist yet.
const lazyScreens = import.meta.glob([
  './screens/live-screen.ts',
  './screens/models-screen.ts',
  './screens/logs-screen.ts',
]);

const ROUTES: Route[] = [
  { id: 'enrol', label: 'Enrol', render: (app) => html`<lcm-enrol-screen .app=${app}></lcm-enrol-screen>` },
  { id: 'status', label: 'Status', render: (app) => html`<lcm-status-screen .app=${app}></lcm-status-screen>` },
  {
    id: 'live',
    label: 'Live',
    tag: 'lcm-live-screen',
    load: lazyScreens['./screens/live-screen.ts'],
    render: (app) => html`<lcm-live-screen .app=${app}></lcm-live-screen>`,
  },
  {
    id: 'models',
    label: 'Models',
    tag: 'lcm-models-screen',
    load: lazyScreens['./screens/models-screen.ts'],
    render: (app) => html`<lcm-models-screen .app=${app}></lcm-models-screen>`,
  },
  {
    id: 'logs',
    label: 'Logs',
    tag: 'lcm-logs-screen',
    load: lazyScreens['./screens/logs-screen.ts'],
    render: (app) => html`<lcm-logs-screen .app=${app}></lcm-logs-screen>`,
  },
  { id: 'settings', label: 'Settings', render: (app) => html`<lcm-settings-screen .app=${app}></lcm-settings-screen>` },
];

const LARGE_KEY = 'tinylcm.largeType';

function syncState(s: DeviceStatus): { text: string; cls: string } {
  if (s.mode === 'starting') return { text: 'starting…', cls: '' };
  if (s.mode === 'unenrolled') return { text: 'not enrolled', cls: 'warn' };
  if (s.mode === 'standalone') return { text: 'standalone', cls: '' };
  if (s.download) return { text: `downloading model ${percentOf(s.download.received, s.download.total)}`, cls: 'warn' };
  if (s.syncing) return { text: 'syncing…', cls: '' };
  if (!s.lastSync) return { text: 'not synced yet', cls: 'warn' };
  const queued = s.queued.records ? ` · ${s.queued.records} queued` : '';
  return s.lastSync.ok ? { text: `synced${queued}`, cls: 'ok' } : { text: `sync failed${queued}`, cls: 'bad' };
}

/**
 * The TinyLCM PWA's root: a header (network, active model, sync state, "update available"), the
 * screens as keyboard-reachable tabs with hash routing (#/status, #/live, …), and a large-type
 * switch for kiosks read from a distance. The DeviceApp is handed in as `app` (main.ts).
 */
export class TinyLcmApp extends LitElement {
  static override properties = {
    app: { attribute: false },
    route: { state: true },
    largeType: { state: true },
    loaded: { state: true },
  };
  app: DeviceApp | undefined;
  route: RouteId | '' = '';
  largeType = localStorage.getItem(LARGE_KEY) === '1' || new URLSearchParams(location.search).has('kiosk');
  /** Lazy screens loaded (or found missing), by route. */
  loaded: Partial<Record<RouteId, 'ok' | 'missing' | string>> = {};
  readonly #state = new AppController(this);

  static override styles = css`
    :host { display: flex; flex-direction: column; min-height: 100vh; min-height: 100dvh; font: 1.125rem/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif; color: #1b1f24; background: #f6f8fa;
      --accent: #0b6e4f; --muted: #57606a; --line: #d0d7de; --card: #fff; --focus: #0969da; }
    header { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1rem; padding: 0.6rem 1rem; background: var(--accent); color: #fff; }
    .brand { font-weight: 700; font-size: 1.3rem; margin-right: auto; }
    .pill { padding: 0.15rem 0.7rem; border-radius: 999px; background: rgba(255, 255, 255, 0.16); white-space: nowrap; }
    .pill.ok::before, .pill.bad::before, .pill.warn::before { content: '●'; margin-right: 0.35rem; }
    .pill.ok::before { color: #7ee2a8; } .pill.bad::before { color: #ff8182; } .pill.warn::before { color: #f5d76e; }
    header button { font: inherit; background: transparent; color: #fff; border: 1px solid rgba(255, 255, 255, 0.6); border-radius: 0.35rem; padding: 0.15rem 0.6rem; cursor: pointer; }
    header button[aria-pressed='true'] { background: rgba(255, 255, 255, 0.25); }
    .banner { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; padding: 0.6rem 1rem; background: #fff8c5; border-bottom: 1px solid #d4a72c; }
    .banner button, .fatal button { font: inherit; padding: 0.3rem 0.9rem; border-radius: 0.35rem; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
    nav { display: flex; gap: 0.25rem; padding: 0 0.5rem; background: #fff; border-bottom: 1px solid var(--line); overflow-x: auto; }
    nav a { padding: 0.7rem 1rem; color: var(--muted); text-decoration: none; border-bottom: 3px solid transparent; white-space: nowrap; }
    nav a[aria-selected='true'] { color: #1b1f24; border-bottom-color: var(--accent); font-weight: 600; }
    nav a:hover { color: #1b1f24; }
    :focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
    main { flex: 1; padding: 1rem; box-sizing: border-box; width: 100%; max-width: 1800px; margin: 0 auto; }
    .placeholder, .fatal { background: #fff; border: 1px dashed var(--line); border-radius: 0.5rem; padding: 1.5rem; }
    .fatal { border: 1px solid #cf222e; color: #cf222e; }
    @media (min-width: 1200px) { main { padding: 1.5rem 2rem; } }
    @media (max-width: 520px) { header { padding: 0.5rem 0.75rem; } .brand { width: 100%; } nav a { padding: 0.6rem 0.7rem; } main { padding: 0.75rem; } }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    addEventListener('hashchange', this.onHash);
    this.onHash();
    this.applyLargeType();
    this.addEventListener('navigate', this.onNavigate);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('hashchange', this.onHash);
    this.removeEventListener('navigate', this.onNavigate);
  }

  private readonly onHash = () => {
    const id = location.hash.replace(/^#\/?/, '').split(/[/?]/)[0] as RouteId;
    this.route = ROUTES.some((r) => r.id === id) ? id : '';
  };

  private readonly onNavigate = (e: Event) => {
    location.hash = `#/${(e as CustomEvent<string>).detail}`;
  };

  private applyLargeType(): void {
    // rem-based sizes, the screens' included, follow the root font size.
    document.documentElement.style.fontSize = this.largeType ? '150%' : '';
  }

  private toggleLargeType(): void {
    this.largeType = !this.largeType;
    localStorage.setItem(LARGE_KEY, this.largeType ? '1' : '0');
    this.applyLargeType();
  }

  private routes(s: DeviceStatus | undefined): Route[] {
    const enrolTab = s?.mode !== 'enrolled';
    return ROUTES.filter((r) => r.id !== 'enrol' || enrolTab);
  }

  /** The route shown: the hash's, else Enrol for a new device, else Status. */
  private current(routes: Route[], s: DeviceStatus | undefined): Route {
    const chosen = routes.find((r) => r.id === this.route);
    if (chosen) return chosen;
    const fresh = s?.mode === 'unenrolled' && !s.activeModel;
    return routes.find((r) => r.id === (fresh ? 'enrol' : 'status'))!;
  }

  private onTabKey(e: KeyboardEvent, routes: Route[], index: number): void {
    const next =
      e.key === 'ArrowRight'
        ? index + 1
        : e.key === 'ArrowLeft'
          ? index - 1
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? routes.length - 1
              : undefined;
    if (next === undefined) return;
    e.preventDefault();
    const r = routes[(next + routes.length) % routes.length]!;
    location.hash = `#/${r.id}`;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`#tab-${r.id}`)?.focus());
  }

  private screen(route: Route, app: DeviceApp): TemplateResult | typeof nothing {
    if (!route.tag) return route.render(app);
    if (customElements.get(route.tag)) return route.render(app);
    const state = this.loaded[route.id];
    if (!route.load || state === 'missing') {
      return html`<div class="placeholder" data-testid="not-built">The ${route.label} screen is not built yet.</div>`;
    }
    if (state === undefined) {
      this.loaded = { ...this.loaded, [route.id]: 'loading' };
      route.load().then(
        () => (this.loaded = { ...this.loaded, [route.id]: 'ok' }),
        (err: unknown) => (this.loaded = { ...this.loaded, [route.id]: `failed: ${(err as Error).message}` }),
      );
    }
    return state && state !== 'loading' && state !== 'ok'
      ? html`<div class="fatal">The ${route.label} screen did not load (${state}).</div>`
      : html`<p>Loading…</p>`;
  }

  override render() {
    const app = this.app;
    const s = this.#state.status;
    const startError = (app as { startError?: string } | undefined)?.startError;
    const routes = this.routes(s);
    const route = this.current(routes, s);
    const m = s?.activeModel;
    const sync = s ? syncState(s) : { text: 'starting…', cls: '' };
    return html`
      <header>
        <div class="brand">TinyLCM</div>
        <span class="pill ${s?.online === false ? 'bad' : 'ok'}" data-testid="online">${s?.online === false ? 'offline' : 'online'}</span>
        <span class="pill" data-testid="active-model" title="active model">${m ? `${m.name} v${m.version}` : 'no model'}</span>
        <span class="pill ${sync.cls}" data-testid="sync-state">${sync.text}</span>
        <button aria-pressed=${this.largeType ? 'true' : 'false'} title="large type for reading from a distance" @click=${() => this.toggleLargeType()}>Aa</button>
      </header>
      ${
        s?.updateAvailable
          ? html`<div class="banner" role="alert" data-testid="update-banner">
            <span>Update available — reload to use the new version.</span>
            <button @click=${() => void app?.applyUpdate()}>Reload</button>
          </div>`
          : nothing
      }
      <nav role="tablist" aria-label="Screens">
        ${routes.map(
          (r, i) => html`<a
            id="tab-${r.id}"
            role="tab"
            href="#/${r.id}"
            aria-selected=${r === route ? 'true' : 'false'}
            aria-controls="panel"
            tabindex=${r === route ? 0 : -1}
            @keydown=${(e: KeyboardEvent) => this.onTabKey(e, routes, i)}
            >${r.label}</a
          >`,
        )}
      </nav>
      <main id="panel" role="tabpanel" aria-labelledby="tab-${route.id}" data-route=${route.id}>
        ${startError ? html`<div class="fatal" role="alert" data-testid="start-error">The app could not start: ${startError} <button @click=${() => location.reload()}>Reload</button></div>` : nothing}
        ${app ? this.screen(route, app) : html`<p>Starting…</p>`}
      </main>
    `;
  }
}

customElements.define('tinylcm-app', TinyLcmApp);

declare global {
  interface HTMLElementTagNameMap {
    'tinylcm-app': TinyLcmApp;
  }
}
