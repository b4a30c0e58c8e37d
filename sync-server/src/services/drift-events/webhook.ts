import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import type { DriftEventRecord } from '../../../../shared/protocol/index.ts';
import type { Db, Queryable } from '../../store/db/index.ts';

export interface WebhookConfig {
  url: string;
  secret: string;
  /** Attempts per event before it is given up (kept with gave_up_at and its last error). */
  maxAttempts: number;
  /** Per-attempt timeout. */
  timeoutMs: number;
  /** First retry delay; doubles per attempt (capped at an hour), with jitter. */
  backoffMs: number;
}

/** Deliveries one sender claims at once: enough to overlap slow receivers, few enough to share. */
const CLAIM_BATCH = 16;
const MAX_BACKOFF_MS = 3_600_000;
/** A claimed row comes back this long after its attempt's timeout, should its sender have died. */
export const LEASE_MARGIN_MS = 2_000;
/** What a receiver's error answer may put into last_error. */
const ERROR_TEXT = 300;

export const SIGNATURE_HEADER = 'X-TinySphere-Signature';

/** `sha256=<hex HMAC-SHA256 of the body>` under the shared secret (receivers recompute and compare). */
export const signature = (secret: string, body: string) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** Delay before attempt `attempt + 1`: exponential, with "equal jitter" so a fleet's retries spread out. */
export function backoff(base: number, attempt: number, random = Math.random): number {
  const full = Math.min(MAX_BACKOFF_MS, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(full / 2 + random() * (full / 2));
}

/**
 * New drift events POSTed to DRIFT_WEBHOOK_URL, through an outbox (migration 012): rows are queued
 * in the transaction that stored the event, so a sync only pays one INSERT and never waits for the
 * receiver. Every instance runs a sender; each claims due rows with FOR UPDATE SKIP LOCKED and
 * leases them for the attempt's timeout, so instances share the work, and a crash mid-delivery
 * only delays a row until its lease runs out (receivers may see an event twice; the delivery id
 * header says which).
 */
export class DriftWebhook {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private started = false;
  private stopping = false;

  constructor(
    private readonly db: Db,
    readonly config: WebhookConfig,
    private readonly logger: Logger,
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  async enqueue(q: Queryable, events: readonly DriftEventRecord[]): Promise<void> {
    await q.query(
      `INSERT INTO drift_webhook_outbox (device_id, event_id, body) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])
       ON CONFLICT (device_id, event_id) DO NOTHING`,
      [
        events.map((e) => e.deviceId),
        events.map((e) => e.id),
        events.map((e) => JSON.stringify({ type: 'drift_event', event: e })),
      ],
    );
  }

  /** Polls for due rows until stop(); a new event wakes it at once. */
  start(): void {
    this.started = true;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private get pollMs(): number {
    return Math.min(1000, Math.max(50, this.config.backoffMs));
  }

  /** Sends soon rather than at the next poll (call once the queued rows are committed). */
  kick(): void {
    if (this.started && !this.stopping && !this.running) this.schedule(0);
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running ??= this.drain()
        .catch((err) => this.logger.warn({ err }, 'drift webhook: sending failed'))
        .finally(() => {
          this.running = undefined;
          if (!this.stopping) this.schedule(this.pollMs);
        });
    }, ms);
    this.timer.unref();
  }

  /** Sends what is due, batch by batch, until nothing is (or stop() was called: a claimed batch is still finished). */
  async drain(): Promise<void> {
    while (!this.stopping) {
      const claimed = await this.claim();
      if (claimed.length === 0) return;
      await Promise.all(claimed.map((row) => this.deliver(row)));
    }
  }

  private async claim(): Promise<{ id: string; body: string; attempts: number }[]> {
    const lease = this.config.timeoutMs + LEASE_MARGIN_MS;
    const { rows } = await this.db.query<{ id: string; body: string; attempts: number }>(
      `WITH due AS (
         SELECT id FROM drift_webhook_outbox WHERE gave_up_at IS NULL AND next_attempt_at <= now()
         ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       UPDATE drift_webhook_outbox o SET attempts = o.attempts + 1, next_attempt_at = now() + $2 * interval '1 millisecond'
       FROM due WHERE o.id = due.id RETURNING o.id::text AS id, o.body, o.attempts`,
      [CLAIM_BATCH, lease],
    );
    return rows;
  }

  private async deliver(row: { id: string; body: string; attempts: number }): Promise<void> {
    let error: string;
    try {
      const res = await this.fetchFn(this.config.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signature(this.config.secret, row.body),
          'X-TinySphere-Delivery': row.id,
        },
        body: row.body,
        signal: AbortSignal.timeout(this.config.timeoutMs),
        redirect: 'manual',
      });
      if (res.ok) {
        await res.body?.cancel();
        await this.db.query('DELETE FROM drift_webhook_outbox WHERE id = $1', [row.id]);
        return;
      }
      error = `HTTP ${res.status} ${(await res.text().catch(() => '')).slice(0, ERROR_TEXT)}`;
    } catch (err) {
      error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
    if (row.attempts >= this.config.maxAttempts) {
      this.logger.warn({ delivery: row.id, attempts: row.attempts, error }, 'drift webhook: giving up on an event');
      await this.db.query('UPDATE drift_webhook_outbox SET gave_up_at = now(), last_error = $2 WHERE id = $1', [
        row.id,
        error,
      ]);
      return;
    }
    const delay = backoff(this.config.backoffMs, row.attempts);
    await this.db.query(
      `UPDATE drift_webhook_outbox SET next_attempt_at = now() + $2 * interval '1 millisecond', last_error = $3 WHERE id = $1`,
      [row.id, delay, error],
    );
  }
}
