/**
 * Runs `step` at a steady rate, one call at a time (the next waits for the previous, so a slow
 * device falls behind instead of piling up inferences), until stopped or a step throws.
 */
export class Replay {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;

  constructor(
    private readonly step: () => Promise<void>,
    private readonly onStop: (err?: unknown) => void,
  ) {}

  rowsPerSecond = 5;

  get active(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.tick();
  }

  stop(err?: unknown): void {
    if (!this.running) return;
    this.running = false;
    clearTimeout(this.timer);
    this.onStop(err);
  }

  private async tick(): Promise<void> {
    if (!this.running) return;
    const started = performance.now();
    try {
      await this.step();
    } catch (err) {
      return this.stop(err);
    }
    if (!this.running) return;
    const wait = Math.max(0, 1000 / this.rowsPerSecond - (performance.now() - started));
    this.timer = setTimeout(() => void this.tick(), wait);
  }
}
