import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RetryableError } from '../src/lcm/sync/backoff.ts';
import { SyncScheduler, type SchedulerClock, type SyncSchedulerOptions } from '../src/lcm/sync/scheduler.ts';

/** Timers that fire only when the test moves time forward. */
class FakeClock implements SchedulerClock {
  now = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private nextId = 1;
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.now + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  get pending(): number[] {
    return [...this.timers.values()].map((t) => t.at - this.now);
  }
  /** Moves time forward, firing due timers in order and letting the runs they start finish. */
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
      await settle();
    }
    this.now = end;
  }
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function setup(overrides: Partial<SyncSchedulerOptions> & { outcomes?: (() => Promise<void>)[] } = {}) {
  const clock = new FakeClock();
  const online = new EventTarget();
  const log: number[] = [];
  let interval = 60;
  let concurrent = 0;
  let maxConcurrent = 0;
  const outcomes = overrides.outcomes ?? [];
  const scheduler = new SyncScheduler({
    clock,
    onlineEvents: online,
    random: () => 0.5,
    backoff: { baseMs: 1000, maxMs: 8000 },
    intervalSec: () => interval,
    run: async () => {
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      log.push(clock.now);
      try {
        await (outcomes.shift() ?? (async () => {}))();
      } finally {
        concurrent--;
      }
    },
    ...overrides,
  });
  return {
    clock,
    online,
    scheduler,
    log,
    setInterval: (s: number) => void (interval = s),
    get maxConcurrent() {
      return maxConcurrent;
    },
  };
}

describe('SyncScheduler', () => {
  it('runs at start, then every desired.syncIntervalSec, re-reading the interval after each run', async () => {
    const t = setup();
    t.scheduler.start();
    await settle();
    assert.deepEqual(t.log, [0]);
    assert.deepEqual(t.clock.pending, [60_000]);
    t.setInterval(10); // the document changed during the wait: applies from the next run on
    await t.clock.advance(59_999);
    assert.deepEqual(t.log, [0]);
    await t.clock.advance(1);
    await t.clock.advance(20_000);
    assert.deepEqual(t.log, [0, 60_000, 70_000, 80_000]);
    await t.scheduler.stop();
    assert.deepEqual(t.clock.pending, []);
  });

  it('runs at once when the device comes back online, and restarts the interval from there', async () => {
    const t = setup();
    t.scheduler.start();
    await settle();
    await t.clock.advance(30_000);
    t.online.dispatchEvent(new Event('online'));
    await settle();
    assert.deepEqual(t.log, [0, 30_000]);
    assert.deepEqual(t.clock.pending, [60_000], 'one timer, not the old one as well');
    await t.scheduler.stop();
    t.online.dispatchEvent(new Event('online'));
    await settle();
    assert.equal(t.log.length, 2, 'a stopped scheduler ignores the online event');
  });

  it('never runs twice at once: requests during a run coalesce into one more run', async () => {
    const gate = deferred();
    const t = setup({ outcomes: [() => gate.promise] });
    t.scheduler.start();
    await settle();
    assert.equal(t.scheduler.busy, true);
    const asked = [t.scheduler.requestSync(), t.scheduler.requestSync()];
    t.online.dispatchEvent(new Event('online'));
    await settle();
    assert.equal(t.log.length, 1);
    gate.resolve();
    await Promise.all(asked);
    assert.equal(t.log.length, 2, 'three requests during the run: exactly one follow-up');
    assert.equal(t.maxConcurrent, 1);
    assert.deepEqual(t.clock.pending, [60_000]);
    await t.scheduler.stop();
  });

  it('backs off exponentially with jitter on failure, honours Retry-After, and returns to the interval', async () => {
    const fail = async () => {
      throw new Error('offline');
    };
    const errors: unknown[] = [];
    const t = setup({
      outcomes: [
        fail,
        fail,
        fail,
        fail,
        fail,
        async () => Promise.reject(new RetryableError('busy', 30_000)),
        async () => {},
      ],
      onError: (e) => errors.push(e),
    });
    t.scheduler.start();
    const delays: (number | undefined)[] = [];
    await settle();
    for (let i = 0; i < 6; i++) {
      delays.push(t.scheduler.nextDelayMs);
      await t.clock.advance(t.scheduler.nextDelayMs!);
    }
    delays.push(t.scheduler.nextDelayMs);
    // random() = 0.5 of min(8000, 1000·2^n); then the server's Retry-After plus that jitter (backoffDelay); then success → 60 s.
    assert.deepEqual(delays, [500, 1000, 2000, 4000, 4000, 30_000 + 4000, 60_000]);
    assert.equal(errors.length, 6);
    assert.equal(t.scheduler.failureCount, 0);
    assert.equal(t.log.length, 7);
    await t.scheduler.stop();
  });

  it('stop() waits for the run in progress and schedules nothing after it', async () => {
    const gate = deferred();
    const t = setup({ outcomes: [() => gate.promise] });
    t.scheduler.start();
    await settle();
    let stopped = false;
    const stopping = t.scheduler.stop().then(() => (stopped = true));
    await settle();
    assert.equal(stopped, false);
    gate.resolve();
    await stopping;
    assert.deepEqual(t.clock.pending, []);
    await t.scheduler.requestSync();
    assert.equal(t.log.length, 1);
  });
});
