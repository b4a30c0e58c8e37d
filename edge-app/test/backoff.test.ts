import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay, MAX_RETRY_AFTER_MS, RetryableError, withBackoff } from '../src/lcm/sync/backoff.ts';

describe('withBackoff', () => {
  const run = (failures: Error[], opts: { attempts: number; random?: () => number }) => {
    const waits: number[] = [];
    let calls = 0;
    const result = withBackoff(
      async () => {
        const err = failures[calls++];
        if (err) throw err;
        return calls;
      },
      {
        baseMs: 100,
        maxMs: 350,
        random: opts.random ?? (() => 1),
        sleep: async (ms) => void waits.push(ms),
        attempts: opts.attempts,
      },
    );
    return { result, waits, calls: () => calls };
  };

  it('waits exponentially longer, capped at maxMs, scaled by the jitter', async () => {
    const r = run([new RetryableError('a'), new RetryableError('b'), new RetryableError('c')], { attempts: 5 });
    assert.equal(await r.result, 4);
    assert.deepEqual(r.waits, [100, 200, 350]);
    const jittered = run([new RetryableError('a'), new RetryableError('b')], { attempts: 5, random: () => 0.25 });
    await jittered.result;
    assert.deepEqual(jittered.waits, [25, 50]);
  });

  it('honours Retry-After as a lower bound', async () => {
    const r = run([new RetryableError('busy', 2000)], { attempts: 2, random: () => 0 });
    await r.result;
    assert.deepEqual(r.waits, [2000]);
  });

  it('gives up after the attempts, and at once on an error that is not retryable', async () => {
    const r = run([new RetryableError('a'), new RetryableError('b')], { attempts: 2 });
    await assert.rejects(r.result, /b/);
    const fatal = run([new Error('refused')], { attempts: 5 });
    await assert.rejects(fatal.result, /refused/);
    assert.equal(fatal.calls(), 1);
  });
});

describe('backoffDelay with Retry-After', () => {
  it('waits the Retry-After plus a jitter of at most the Retry-After, capped', () => {
    const opts = { baseMs: 100, maxMs: 5000 };
    assert.equal(backoffDelay(3, opts, 0.5, new RetryableError('busy')), 400);
    assert.equal(backoffDelay(3, opts, 0, new RetryableError('busy', 2000)), 2000);
    assert.equal(backoffDelay(3, opts, 0.5, new RetryableError('busy', 2000)), 2400);
    assert.equal(backoffDelay(10, opts, 1, new RetryableError('busy', 1000)), 2000);
    assert.equal(backoffDelay(0, opts, 0, new RetryableError('busy', 24 * 3_600_000)), MAX_RETRY_AFTER_MS);
  });
});
