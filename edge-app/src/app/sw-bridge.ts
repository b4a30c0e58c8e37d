/**
 * The page's side of the service worker: registration, "a new version is waiting" detection, the
 * switch to it, and Background Sync. The upload queue lives in IndexedDB and only the page's code
 * can send it, so a `sync` event in the worker asks an open page to sync and waits for its answer
 * (see sw.ts); with no page open the browser retries the tag later.
 */
import { SKIP_WAITING, SYNC_MESSAGE, SYNC_TAG } from './sw-protocol.ts';

interface SyncManagerLike {
  register(tag: string): Promise<void>;
}

export interface SwBridgeHooks {
  /** A new version is installed and waiting. */
  onUpdate(): void;
  /** The worker's `sync` event: run a sync now; resolve true when the queue is drained. */
  onSyncRequest(): Promise<boolean>;
}

export class SwBridge {
  registration: ServiceWorkerRegistration | undefined;
  private reloading = false;

  constructor(private readonly hooks: SwBridgeHooks) {}

  get updateAvailable(): boolean {
    return !!this.registration?.waiting && !!navigator.serviceWorker.controller;
  }

  /** Registers /sw.js (production builds only: in development it would serve stale modules). */
  async start(url = '/sw.js'): Promise<void> {
    if (!('serviceWorker' in navigator)) return;
    navigator.serviceWorker.addEventListener('message', (event: MessageEvent) => {
      if ((event.data as { type?: string } | null)?.type !== SYNC_MESSAGE) return;
      const port = event.ports[0];
      this.hooks.onSyncRequest().then(
        (ok) => port?.postMessage({ ok }),
        () => port?.postMessage({ ok: false }),
      );
    });
    let reg: ServiceWorkerRegistration;
    try {
      reg = await navigator.serviceWorker.register(url, { scope: '/' });
    } catch (err) {
      console.warn('[tinylcm] service worker registration failed', err);
      return;
    }
    this.registration = reg;
    // A kiosk runs for weeks: look for a new version now and then, not only on navigation.
    setInterval(() => void reg.update().catch(() => undefined), 60 * 60 * 1000);
    if (this.updateAvailable) this.hooks.onUpdate();
    reg.addEventListener('updatefound', () => {
      const incoming = reg.installing;
      incoming?.addEventListener('statechange', () => {
        // With no controller this is the first install, not an update.
        if (incoming.state === 'installed' && navigator.serviceWorker.controller) this.hooks.onUpdate();
      });
    });
  }

  /** Lets the waiting version take over, then reloads once it controls the page. */
  async applyUpdate(): Promise<void> {
    const waiting = this.registration?.waiting;
    if (!waiting) return;
    navigator.serviceWorker.addEventListener('controllerchange', () => {
      if (this.reloading) return;
      this.reloading = true;
      location.reload();
    });
    waiting.postMessage({ type: SKIP_WAITING });
  }

  /** Asks the browser to wake us for an upload once it is online (where Background Sync exists). */
  async requestBackgroundSync(): Promise<boolean> {
    const sync = (this.registration as (ServiceWorkerRegistration & { sync?: SyncManagerLike }) | undefined)?.sync;
    if (!sync) return false;
    try {
      await sync.register(SYNC_TAG);
      return true;
    } catch {
      return false;
    }
  }
}
