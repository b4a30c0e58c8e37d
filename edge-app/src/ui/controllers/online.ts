import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Tracks navigator.onLine; the host re-renders when the browser goes on- or offline. */
export class OnlineController implements ReactiveController {
  online = navigator.onLine;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  #update = () => {
    this.online = navigator.onLine;
    this.host.requestUpdate();
  };

  hostConnected(): void {
    this.online = navigator.onLine;
    window.addEventListener('online', this.#update);
    window.addEventListener('offline', this.#update);
  }

  hostDisconnected(): void {
    window.removeEventListener('online', this.#update);
    window.removeEventListener('offline', this.#update);
  }
}
