import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { DeviceApp } from '../../app/device-app.ts';
import type { TinyLCM } from '../../lcm/tinylcm.ts';

type Handlers = Partial<
  Record<'inference' | 'drift' | 'alert' | 'model-activated' | 'change' | 'download-progress', (e: CustomEvent) => void>
>;

/**
 * Keeps a screen subscribed to its DeviceApp and to the app's TinyLCM: the `app` property may be
 * set late and `app.lcm` appears once the device layer has opened it, so listeners are (re)bound
 * whenever either changes, and removed when the screen leaves the page. Every app `change`
 * re-renders the host.
 */
export class AppController implements ReactiveController {
  private app: DeviceApp | undefined;
  private lcm: TinyLCM | undefined;
  private connected = false;
  private readonly onApp = (e: Event): void => {
    if (e.type === 'change') this.rebindLcm();
    this.handlers[e.type as keyof Handlers]?.(e as CustomEvent);
    if (e.type === 'change') this.host.requestUpdate();
  };
  private readonly onLcm = (e: Event): void => this.handlers[e.type as keyof Handlers]?.(e as CustomEvent);
  /** Called when the TinyLCM instance appears or is replaced (not for the first bind before connect). */
  onLcmChanged: ((lcm: TinyLCM | undefined) => void) | undefined;

  constructor(
    private readonly host: ReactiveControllerHost & { app: DeviceApp | undefined },
    private readonly handlers: Handlers,
  ) {
    host.addController(this);
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
    for (const t of ['change', 'download-progress'] as const) this.app?.addEventListener(t, this.onApp);
    this.rebindLcm();
  }

  private unbindApp(): void {
    for (const t of ['change', 'download-progress'] as const) this.app?.removeEventListener(t, this.onApp);
    this.app = undefined;
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
