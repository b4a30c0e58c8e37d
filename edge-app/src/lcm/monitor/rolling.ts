/**
 * Fixed-size rolling structures for the monitor's per-inference path: all storage is allocated
 * up front, so recording a sample never allocates.
 */

/** The last `capacity` (ts, value) pairs, for charts. */
export class SeriesRing {
  private readonly ts: Float64Array;
  private readonly values: Float64Array;
  private head = 0;
  size = 0;

  constructor(readonly capacity: number) {
    if (!(Number.isInteger(capacity) && capacity > 0))
      throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    this.ts = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
  }

  push(ts: number, value: number): void {
    this.ts[this.head] = ts;
    this.values[this.head] = value;
    this.head = (this.head + 1) % this.capacity;
    if (this.size < this.capacity) this.size += 1;
  }

  /** Oldest first (allocates: for the UI, not the hot path). */
  toArrays(): { ts: number[]; values: number[] } {
    const ts: number[] = new Array(this.size);
    const values: number[] = new Array(this.size);
    const start = (this.head - this.size + this.capacity) % this.capacity;
    for (let k = 0; k < this.size; k++) {
      const j = (start + k) % this.capacity;
      ts[k] = this.ts[j] as number;
      values[k] = this.values[j] as number;
    }
    return { ts, values };
  }
}

/** Share of hits among the last `size` events, kept as a running sum over a ring of bits. */
export class RateWindow {
  private readonly bits: Uint8Array;
  private head = 0;
  private hits = 0;
  filled = 0;

  constructor(readonly size: number) {
    if (!(Number.isInteger(size) && size > 0))
      throw new RangeError(`window size must be a positive integer, got ${size}`);
    this.bits = new Uint8Array(size);
  }

  push(hit: boolean): void {
    const b = hit ? 1 : 0;
    if (this.filled === this.size) this.hits -= this.bits[this.head] as number;
    else this.filled += 1;
    this.bits[this.head] = b;
    this.hits += b;
    this.head = (this.head + 1) % this.size;
  }

  get full(): boolean {
    return this.filled === this.size;
  }

  /** Hits / events in the window (0 when empty). */
  get rate(): number {
    return this.filled === 0 ? 0 : this.hits / this.filled;
  }
}

/**
 * Events per second over the last `seconds` complete seconds, from per-second counters indexed
 * by the event timestamps (so replayed or simulated streams give the same answer as live ones).
 */
export class PerSecondRate {
  private readonly slots: Float64Array;
  private second = -Infinity;

  constructor(readonly seconds: number) {
    if (!(Number.isInteger(seconds) && seconds > 0))
      throw new RangeError(`seconds must be a positive integer, got ${seconds}`);
    // One slot more than the window: the current, still incomplete second.
    this.slots = new Float64Array(seconds + 1);
  }

  add(tsMs: number): void {
    this.advance(Math.floor(tsMs / 1000));
    const i = this.second % this.slots.length;
    this.slots[i] = (this.slots[i] as number) + 1;
  }

  /** Mean events per second over the complete seconds of the window ending before `nowMs`. */
  perSecond(nowMs: number): number {
    this.advance(Math.floor(nowMs / 1000));
    const cur = this.second % this.slots.length;
    let sum = 0;
    for (let i = 0; i < this.slots.length; i++) if (i !== cur) sum += this.slots[i] as number;
    return sum / this.seconds;
  }

  private advance(sec: number): void {
    // A clock step backwards keeps counting into the current second rather than corrupting slots.
    if (sec <= this.second) return;
    const n = this.slots.length;
    if (sec - this.second >= n) this.slots.fill(0);
    else for (let s = this.second + 1; s <= sec; s++) this.slots[s % n] = 0;
    this.second = sec;
  }
}
