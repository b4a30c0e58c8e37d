import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { DeviceApp, DeviceStatus } from '../../app/device-app.ts';

/**
 * Re-renders its host on the DeviceApp's `change` events (already throttled by the app) and keeps
 * the latest status() at hand. Give it a getter: hosts receive `app` as a property after creation.
 */
export class DeviceAppController implements ReactiveController {
  private bound: DeviceApp | undefined;
  status: DeviceStatus | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly app: () => DeviceApp | undefined,
  ) {
    host.addController(this);
  }

  private readonly onChange = () => {
    this.status = this.bound?.status();
    this.host.requestUpdate();
  };

  /** Rebinds when the host's `app` changed; call from the host's willUpdate. */
  sync(): void {
    const app = this.app();
    if (app === this.bound) return;
    this.bound?.removeEventListener('change', this.onChange);
    this.bound = app;
    app?.addEventListener('change', this.onChange);
    this.status = app?.status();
  }

  hostConnected(): void {
    this.sync();
  }

  hostDisconnected(): void {
    this.bound?.removeEventListener('change', this.onChange);
    this.bound = undefined;
  }
}
