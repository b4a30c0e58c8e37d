import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { DeviceApp, DeviceStatus } from '../../app/device-app.ts';
import type { TinyLCM } from '../../lcm/index.ts';

type Handlers = Partial<
  Record<'inference' | 'drift' | 'alert' | 'model-activated' | 'change' | 'download-progress', (e: CustomEvent) => void>
>;

/**
 * Keeps an element subscribed to its DeviceApp (the app model, edge-app/src/app/) and to the app's
 * TinyLCM: the `app` property may be set late and `app.lcm` appears once the device layer has opened
 * it, so listeners are (re)bound whenever either changes, and removed when the element leaves the
 * page. Every app `change` re-renders the host; `status` is the app's status() as of the last one.
 */
export class AppController implements ReactiveController {
  private app: DeviceApp | undefined;
  private lcm: TinyLCM | undefined;
  private connected = false;
  private statusNow: DeviceStatus | undefined;
  private stale = true;
  private readonly onApp = (e: Event): void => {
    if (e.type === 'change') {
      this.stale = true;
      this.rebindLcm();
    }
    this.handlers[e.type as keyof Handlers]?.(e as CustomEvent);
    if (e.type === 'change') this.host.requestUpdate();
  };
  private readonly onLcm = (e: Event): void => this.handlers[e.type as keyof Handlers]?.(e as CustomEvent);
  /** Called when the TinyLCM instance appears or is replaced (not for the first bind before connect). */
  onLcmChanged: ((lcm: TinyLCM | undefined) => void) | undefined;

  constructor(
    private readonly host: ReactiveControllerHost & { app: DeviceApp | undefined },
    private readonly handlers: Handlers = {},
  ) {
    host.addController(this);
  }

  /** The app's status() as of its last `change` (read once per change, and only when asked for). */
  get status(): DeviceStatus | undefined {
    if (this.stale) {
      this.statusNow = this.app?.status();
      this.stale = false;
    }
    return this.statusNow;
  }

  hostConnected(): void {
    this.connected = true;
    this.bind();
  }

  hostDisconnected(): void {
    this.connected = false;
    this.unbindApp();
    this.bindLcm(undefined);
  }

  /** Lit calls this before each update: a new `app` is picked up here. */
  hostUpdate(): void {
    if (this.connected && this.host.app !== this.app) this.bind();
  }

  private bind(): void {
    this.unbindApp();
    this.app = this.host.app;
    this.stale = true;
    for (const t of ['change', 'download-progress'] as const) this.app?.addEventListener(t, this.onApp);
    this.rebindLcm();
  }

  private unbindApp(): void {
    for (const t of ['change', 'download-progress'] as const) this.app?.removeEventListener(t, this.onApp);
    this.app = undefined;
    this.stale = true;
  }

  private rebindLcm(): void {
    const next = this.app?.lcm;
    if (next === this.lcm) return;
    this.bindLcm(next);
    this.onLcmChanged?.(next);
    this.host.requestUpdate();
  }

  private bindLcm(next: TinyLCM | undefined): void {
    const lcmEvents = (['inference', 'drift', 'alert', 'model-activated'] as const).filter((t) => this.handlers[t]);
    for (const t of lcmEvents) this.lcm?.removeEventListener(t, this.onLcm);
    this.lcm = next;
    for (const t of lcmEvents) this.lcm?.addEventListener(t, this.onLcm);
  }
}
