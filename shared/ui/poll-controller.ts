import type { ReactiveController, ReactiveControllerHost } from 'lit';

export type PollState<T> =
  | { status: 'loading' }
  | { status: 'ok'; value: T; at: number }
  | { status: 'error'; error: Error; at: number; last?: T };

/**
 * Calls `load` on connect and every `intervalMs` while the host is connected; the host re-renders on
 * each result. A slow answer never overlaps the next call, and a disconnect aborts the one in flight.
 * Shared by both web apps (types from lit only; no DOM use).
 */
export class PollController<T> implements ReactiveController {
  state: PollState<T> = { status: 'loading' };
  #timer: ReturnType<typeof setTimeout> | undefined;
  #abort: AbortController | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly load: (signal: AbortSignal) => Promise<T>,
    private readonly intervalMs = 5000,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    void this.refresh();
  }

  hostDisconnected(): void {
    clearTimeout(this.#timer);
    this.#abort?.abort();
  }

  /** Loads now (and restarts the interval). */
  async refresh(): Promise<void> {
    clearTimeout(this.#timer);
    this.#abort?.abort();
    const abort = (this.#abort = new AbortController());
    try {
      const value = await this.load(abort.signal);
      if (abort.signal.aborted) return;
      this.state = { status: 'ok', value, at: Date.now() };
    } catch (err) {
      if (abort.signal.aborted) return;
      const last =
        this.state.status === 'ok' ? this.state.value : this.state.status === 'error' ? this.state.last : undefined;
      this.state = {
        status: 'error',
        error: err instanceof Error ? err : new Error(String(err)),
        at: Date.now(),
        ...(last === undefined ? {} : { last }),
      };
    }
    this.host.requestUpdate();
    this.#timer = setTimeout(() => void this.refresh(), this.intervalMs);
  }
}
