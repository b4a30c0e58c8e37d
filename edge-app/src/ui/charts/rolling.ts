/** A fixed-size window of the latest points: what the live charts plot (memory stays bounded). */
export interface Point {
  x: number;
  y: number;
}

export class RollingWindow {
  private readonly xs: Float64Array;
  private readonly ys: Float64Array;
  private head = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    this.xs = new Float64Array(capacity);
    this.ys = new Float64Array(capacity);
  }

  get length(): number {
    return this.size;
  }

  push(x: number, y: number): void {
    this.xs[this.head] = x;
    this.ys[this.head] = y;
    this.head = (this.head + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
  }

  clear(): void {
    this.head = 0;
    this.size = 0;
  }

  /** Oldest first. */
  points(): Point[] {
    const out = new Array<Point>(this.size);
    const start = (this.head - this.size + this.capacity) % this.capacity;
    for (let i = 0; i < this.size; i++) {
      const j = (start + i) % this.capacity;
      out[i] = { x: this.xs[j]!, y: this.ys[j]! };
    }
    return out;
  }

  /** Latest value, or undefined when empty. */
  last(): number | undefined {
    return this.size ? this.ys[(this.head - 1 + this.capacity) % this.capacity] : undefined;
  }
}
