import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { Replay } from '../../sources/replay.ts';

const REDRAW_MS = 250; // charts and detector table at most 4× a second

/**
 * The live screen's clock: plays a source (one step at a time, at `rate` steps a second, until
 * stopped or a step throws) and throttles redraws — inferences may arrive hundreds of times a
 * second, `tick` moves at most every REDRAW_MS, and what is costly to draw redraws on it.
 */
export class PlaybackController implements ReactiveController {
  playing = false;
  /** Steps a second while playing. */
  rate = 5;
  /** Bumped by redraw(), at most every REDRAW_MS by scheduleRedraw(). */
  tick = 0;
  private next: () => Promise<void> = () => Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly replay = new Replay(
    () => this.next(),
    (err) => {
      this.playing = false;
      this.host.requestUpdate();
      if (err) this.options.onError(err);
    },
  );

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly options: {
      /** A step threw: playing has stopped. */
      onError(err: unknown): void;
      /** Just before each throttled redraw: refresh what is read rather than pushed. */
      beforeRedraw(): void;
    },
  ) {
    host.addController(this);
  }

  start(step: () => Promise<void>): void {
    this.next = step;
    this.replay.rowsPerSecond = this.rate;
    this.playing = true;
    this.replay.start();
    this.host.requestUpdate();
  }

  stop(): void {
    this.replay.stop();
  }

  pace(rate: number): void {
    this.rate = this.replay.rowsPerSecond = rate;
    this.host.requestUpdate();
  }

  /** Redraws within REDRAW_MS (once, however many calls come meanwhile). */
  scheduleRedraw(): void {
    if (this.timer !== undefined || !this.host.isConnected) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.redraw();
    }, REDRAW_MS);
  }

  redraw(): void {
    this.options.beforeRedraw();
    this.tick++;
    this.host.requestUpdate();
  }

  hostDisconnected(): void {
    this.replay.stop();
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
